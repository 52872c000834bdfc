"""Start real servers (InfluxDB, Mosquitto) on loopback with temporary data directories.

Used by the test session's fixtures and by the benchmarks; each returns a handle that stops
exactly the process it started.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from gateway.mosquitto import write_broker_files

# Debian's Chromium, headless, with every background connection off: this machine has no network
# beyond the package registries, and a browser that tries to reach one stalls or fills the logs.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def binary(name: str) -> str:
    path = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )
    if path is None:
        raise RuntimeError(f"{name} not found: run the test command, which installs it")
    return path


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    port: int
    workdir: Path
    log_path: Path
    extra: dict[str, str] = field(default_factory=dict)
    # A directory the service made outside the test's own temporary tree (PostgreSQL as root):
    # pytest does not clean it, so ``stop`` removes it once the process is gone.
    scratch: Path | None = None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wait(check: object, what: str, service: Service, timeout_s: float = 20.0) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if service.process.poll() is not None:
            log = service.log()
            service.stop()  # removes a directory it made, as after any failed start
            raise RuntimeError(f"{what} exited early:\n{log}")
        try:
            if check():  # type: ignore[operator]
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.05)
    log = service.log()  # before ``stop``: it may remove the directory the log is in
    service.stop()
    raise RuntimeError(f"{what} did not come up in {timeout_s} s:\n{log}")


INFLUX_CONF = """reporting-enabled = false
bind-address = "127.0.0.1:{rpc_port}"
[meta]
  dir = "{d}/meta"
[data]
  dir = "{d}/data"
  wal-dir = "{d}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:{port}"
  auth-enabled = false
  log-enabled = false
  pprof-enabled = false
[continuous_queries]
  enabled = true
  run-interval = "1s"
[[graphite]]
  enabled = false
[[udp]]
  enabled = false
"""


def start_influxd(workdir: Path, port: int | None = None) -> Service:
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    conf = workdir / "influxdb.conf"
    conf.write_text(INFLUX_CONF.format(d=workdir, port=port, rpc_port=free_port()))
    log_path = workdir / "influxd.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [binary("influxd"), "-config", str(conf)], stdout=log, stderr=subprocess.STDOUT
        )
    svc = Service(proc, port, workdir, log_path)
    _wait(lambda: requests.get(f"http://127.0.0.1:{port}/ping", timeout=1).status_code == 204, "influxd", svc)
    return svc


def start_mosquitto(
    workdir: Path, nodes: dict[int, bytes], gateway_password: str, port: int | None = None
) -> Service:
    port = port or free_port()
    # Test data directories are private to root, so the broker keeps running as the test's user.
    conf = write_broker_files(workdir, "127.0.0.1", port, "gateway", gateway_password, nodes, run_as="root")
    log_path = workdir / "mosquitto.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen([binary("mosquitto"), "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT)
    svc = Service(proc, port, workdir, log_path, {"gateway_password": gateway_password})

    def listening() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True

    _wait(listening, "mosquitto", svc)
    return svc


def start_server(data_dir: Path, tsdb_url: str, port: int | None = None) -> Service:
    """Start ``farm server`` (``python -m cli.main server``) on loopback with this data directory.

    The registry in ``data_dir`` should already be seeded; ready once it answers any HTTP request.
    """
    import os
    import sys

    port = port or free_port()
    log_path = data_dir / "server.log"
    env = os.environ | {"RUONGSO_DATA_DIR": str(data_dir), "RUONGSO_TSDB_URL": tsdb_url}
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "server", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[1],
        )
    svc = Service(proc, port, data_dir, log_path)
    _wait(lambda: requests.get(f"http://127.0.0.1:{port}/api/v1/gateway/config", timeout=1) is not None,
          "server", svc, timeout_s=60.0)  # fmt: skip
    return svc


PG_BIN = Path("/usr/lib/postgresql/15/bin")


def start_postgres(workdir: Path, port: int | None = None) -> Service:
    """Debian's PostgreSQL 15 in a temporary cluster on 127.0.0.1, trust auth, no fsync (tests only).

    PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` user and
    the server runs as that user (``Popen(user=...)``); otherwise it runs as the caller.
    """
    import os
    import pwd
    import tempfile

    port = port or free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    user = "postgres" if os.geteuid() == 0 else None
    if user:  # root's pytest directories are private (0700): the cluster needs one postgres can reach
        workdir = Path(tempfile.mkdtemp(prefix="ruongso-pg-"))
        pw = pwd.getpwnam(user)
        os.chown(workdir, pw.pw_uid, pw.pw_gid)
    data = workdir / "data"
    subprocess.run(
        [str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"],
        check=True,
        capture_output=True,
        user=user,
    )
    log_path = workdir / "postgres.log"
    args = [str(PG_BIN / "postgres"), "-D", str(data), "-p", str(port), "-k", str(workdir)]
    args += ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off"]
    with log_path.open("ab") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, user=user)
    svc = Service(
        proc,
        port,
        workdir,
        log_path,
        {"url": f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"},
        scratch=workdir if user else None,
    )

    def accepting() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return b"ready to accept connections" in log_path.read_bytes()

    _wait(accepting, "postgres", svc)
    return svc
