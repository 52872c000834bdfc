"""The province layout on namespaced hosts: PostgreSQL primary + streaming replica, InfluxDB, app
hosts (gunicorn) behind HAProxy with health checks, all on the harness's private bridge.

Every host runs the real Debian/PyPI programs the production layout uses (``docs/deployment.md``,
multi-host); only the disks are shared, because the "machines" are one machine — which is also how
the photo directory is shared (as an NFS mount would be).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from deploy.cluster.netns import Host, Net

PG_BIN = Path("/usr/lib/postgresql/15/bin")
ROOT = Path(__file__).resolve().parents[2]
PG_PORT, INFLUX_PORT, APP_PORT, LB_PORT = 5432, 8086, 8000, 8080
INFLUX_CONF = """reporting-enabled = false
bind-address = "{address}:8088"
[meta]
  dir = "{d}/meta"
[data]
  dir = "{d}/data"
  wal-dir = "{d}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "{address}:{port}"
  log-enabled = false
[continuous_queries]
  run-interval = "1s"
"""
SECRET = "c1" * 32  # one RUONGSO_SECRET_KEY for every app host: any host reads any session cookie


def wait(check: Callable[[], bool], what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up in {timeout_s:.0f} s")


def listening(address: str, port: int) -> bool:
    with socket.create_connection((address, port), timeout=0.5):
        return True


@dataclass
class Proc:
    host: Host
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (gunicorn's master and its workers die together)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)


@dataclass
class Cluster:
    workdir: Path
    apps: int = 2
    net: Net = field(default_factory=Net)
    procs: dict[str, Proc] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.workdir, 0o755)  # the postgres user must reach its data directories
        self.blob_dir = self.workdir / "shared-blobs"  # the shared photo mount of every app host
        for name in ("db1", "db2", "influx", "lb", *(f"app{i + 1}" for i in range(self.apps))):
            self.net.add(name)

    def host(self, name: str) -> Host:
        return self.net.hosts[name]

    @property
    def database_url(self) -> str:
        """libpq tries both database hosts and keeps the writable one: after a promote the app
        reconnects to the new primary with no configuration change."""
        db1, db2 = self.host("db1").address, self.host("db2").address
        return (
            f"postgresql+psycopg://postgres@/ruongso?host={db1}:{PG_PORT}&host={db2}:{PG_PORT}"
            "&target_session_attrs=read-write&connect_timeout=2"
        )

    @property
    def tsdb_url(self) -> str:
        return f"influx://{self.host('influx').address}:{INFLUX_PORT}/farm"

    @property
    def url(self) -> str:
        return f"http://{self.host('lb').address}:{LB_PORT}"

    # -- PostgreSQL ----------------------------------------------------------------------------
    def _pg_dir(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir(exist_ok=True)
        pw = pwd.getpwnam("postgres")
        os.chown(path, pw.pw_uid, pw.pw_gid)
        return path

    def _start_pg(self, name: str, extra: list[str]) -> None:
        host, data = self.host(name), self.workdir / name / "data"
        args = [str(PG_BIN / "postgres"), "-D", str(data), "-p", str(PG_PORT), "-k", str(data.parent)]
        args += ["-c", f"listen_addresses={host.address}", "-c", "fsync=off", *extra]
        log = self.workdir / f"{name}.log"
        self.procs[name] = Proc(host, host.popen(args, log, user="postgres"), log)
        wait(lambda: listening(host.address, PG_PORT) and b"ready to accept" in log.read_bytes(), name)

    def start_database(self) -> None:
        data = self._pg_dir("db1") / "data"
        init = [str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]
        subprocess.run(init, check=True, capture_output=True, user="postgres")
        with (data / "pg_hba.conf").open("a") as hba:
            hba.write(
                f"host all all {self.net.prefix}.0/24 trust\n"
                f"host replication all {self.net.prefix}.0/24 trust\n"
            )
        self._start_pg("db1", [])
        self.psql("db1", "CREATE DATABASE ruongso")
        replica = self._pg_dir("db2") / "data"
        conninfo = f"host={self.host('db1').address} port={PG_PORT} user=postgres application_name=replica"
        basebackup = [
            str(PG_BIN / "pg_basebackup"),
            "-d",
            conninfo,
            "-D",
            str(replica),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ]
        self.host("db2").run(basebackup, user="postgres", timeout=120)
        self._start_pg("db2", ["-c", "hot_standby=on"])
        # Synchronous replication, set once the replica streams (and only on the primary): a commit
        # (an acknowledged batch's idempotency keys) returns only once the replica has it, so
        # promoting the replica loses no acknowledged frame.
        self.psql("db1", "ALTER SYSTEM SET synchronous_standby_names = 'replica'")
        self.psql("db1", "SELECT pg_reload_conf()")

    def psql(self, name: str, sql: str) -> str:
        args = [str(PG_BIN / "psql"), "-h", self.host(name).address, "-U", "postgres", "-Atc", sql]
        return subprocess.run(args, check=True, capture_output=True, timeout=60).stdout.decode().strip()

    def promote_replica(self) -> None:
        """The documented failover: the old primary is gone (kill -9), the replica is promoted."""
        self.procs["db1"].kill()
        self.host("db2").run(
            [str(PG_BIN / "pg_ctl"), "promote", "-w", "-D", str(self.workdir / "db2" / "data")],
            user="postgres",
        )

    # -- InfluxDB ------------------------------------------------------------------------------
    def start_influx(self) -> None:
        host, d = self.host("influx"), self.workdir / "influx"
        d.mkdir(exist_ok=True)
        conf = INFLUX_CONF.format(d=d, address=host.address, port=INFLUX_PORT)
        (d / "influxdb.conf").write_text(conf)
        influxd = shutil.which("influxd") or "/usr/bin/influxd"
        log = self.workdir / "influx.log"
        self.procs["influx"] = Proc(
            host, host.popen([influxd, "-config", str(d / "influxdb.conf")], log), log
        )
        wait(
            lambda: requests.get(f"http://{host.address}:{INFLUX_PORT}/ping", timeout=1).status_code == 204,
            "influxd",
        )

    # -- app hosts and the load balancer -------------------------------------------------------
    def app_env(self, name: str) -> dict[str, str]:
        data = self.workdir / name
        data.mkdir(exist_ok=True)
        return os.environ | {
            "RUONGSO_DATA_DIR": str(data),  # per host, and nothing in it is needed by another host
            "RUONGSO_DATABASE_URL": self.database_url,
            "RUONGSO_TSDB_URL": self.tsdb_url,
            "RUONGSO_SECRET_KEY": SECRET,
            "RUONGSO_BLOB_DIR": str(self.blob_dir),
            "RUONGSO_AUTO_MIGRATE": "0",
            "RUONGSO_PROXY_HOPS": "1",
        }

    def start_app(self, name: str, workers: int = 1) -> None:
        host = self.host(name)
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        args = [gunicorn, "-w", str(workers), "-b", f"{host.address}:{APP_PORT}", "--timeout", "60"]
        log = self.workdir / f"{name}.log"
        proc = host.popen([*args, "ruongso.app:create_app()"], log, env=self.app_env(name), cwd=ROOT)
        self.procs[name] = Proc(host, proc, log)
        wait(
            lambda: requests.get(f"http://{host.address}:{APP_PORT}/api/v1/openapi.json", timeout=2).ok,
            name,
            120,
        )

    def haproxy_config(self) -> str:
        servers = "\n".join(
            f"  server {h.name} {h.address}:{APP_PORT} check inter 500ms fall 2 rise 2"
            for h in self.net.hosts.values()
            if h.name.startswith("app")
        )
        return f"""global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  option redispatch
  retries 2
frontend ruongso
  bind {self.host("lb").address}:{LB_PORT}
  option forwardfor
  default_backend app
backend app
  balance roundrobin
  option httpchk GET /api/v1/openapi.json
  http-check expect status 200
{servers}
"""

    def start_haproxy(self) -> None:
        host, conf = self.host("lb"), self.workdir / "haproxy.cfg"
        conf.write_text(self.haproxy_config())
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        log = self.workdir / "haproxy.log"
        self.procs["lb"] = Proc(host, host.popen([haproxy, "-db", "-f", str(conf)], log), log)
        wait(lambda: listening(host.address, LB_PORT), "haproxy")

    def restart_haproxy(self) -> None:
        self.procs["lb"].kill(signal.SIGTERM)
        self.start_haproxy()

    def start(self) -> None:
        self.start_database()
        self.start_influx()
        from server.db import Database

        db = Database(self.database_url)
        db.upgrade()  # once per release, before the app hosts start (RUONGSO_AUTO_MIGRATE=0)
        db.engine.dispose()
        for name in [n for n in self.net.hosts if n.startswith("app")]:
            self.start_app(name)
        self.start_haproxy()

    def close(self) -> None:
        for proc in reversed(list(self.procs.values())):
            proc.kill(signal.SIGKILL)
        self.procs.clear()
        self.net.close()
