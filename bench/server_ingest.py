"""Ingest throughput: gateway batches through the HTTP endpoint (gunicorn, several workers) into
the real InfluxDB, against the floor of writing the same line protocol straight to InfluxDB.

    .venv/bin/python -m bench.server_ingest --workers 3 --frames 400000 --rounds 5

One frame = one point with six float channels (as the floor's lines). Each round writes new data
twice, straight to InfluxDB (floor) and through the endpoint, and measures each by wall-clock and
by CPU-seconds of every process doing the work (this client, InfluxDB; for the endpoint also
gunicorn's workers and PostgreSQL). Min / median / max over the rounds are printed; the CPU ratio
is the one to trust on a shared machine. All data is deleted at the end, also after an error or
Ctrl-C. Results: docs/benchmarks-server.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from bench.scratch import Scratch
from bench.server_common import make_registry, records
from bench.timing import Meter, cpu_s, describe_machine, load_average, spread
from server.timeseries.lineproto import to_line
from tests.services import free_port, start_influxd, start_postgres


def floor(influx: str, lines: list[str], batch: int, db: str) -> None:
    http = requests.Session()
    http.post(f"{influx}/query", data={"q": f"CREATE DATABASE {db}"}).raise_for_status()
    for i in range(0, len(lines), batch):
        r = http.post(
            f"{influx}/write", params={"db": db, "precision": "ms"}, data="\n".join(lines[i : i + batch])
        )
        assert r.status_code == 204, r.text


def bodies(frames: list[dict[str, object]], batch: int) -> list[bytes]:
    return [
        gzip.compress(json.dumps({"frames": frames[i : i + batch]}).encode(), 1)
        for i in range(0, len(frames), batch)
    ]


def post_all(url: str, token: str, batches: list[bytes], clients: int) -> tuple[int, int]:
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Encoding": "gzip",
        "Content-Type": "application/json",
    }
    busy = 0

    def send(body: bytes) -> int:
        nonlocal busy
        http = requests.Session()
        while True:
            r = http.post(url + "/api/v1/gateway/frames", data=body, headers=headers, timeout=120)
            if r.status_code == 200:
                return int(r.json()["stored"])
            assert r.status_code in (429, 503), r.text
            busy += 1
            time.sleep(0.05)

    with ThreadPoolExecutor(clients) as pool:
        stored = sum(pool.map(send, batches))
    return stored, busy


def wait_ready(url: str) -> None:
    for _ in range(200):
        try:
            if requests.get(url + "/api/v1/openapi.json", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


def m_rate(m: Meter, n: int) -> str:
    return (
        f"{m.per_wall(n):,.0f}/s wall ({m.wall_s:.1f} s), {m.per_cpu(n):,.0f} per CPU-s ({m.cpu_s:.1f} CPU-s)"
    )


def report(args: argparse.Namespace, floors: list[Meter], runs: list[tuple[Meter, int, int]]) -> None:
    n = runs[0][1]
    wall = [m.per_wall(n) / f.per_wall(n) * 100 for (m, n, _b), f in zip(runs, floors, strict=True)]
    cpu = [m.per_cpu(n) / f.per_cpu(n) * 100 for (m, n, _b), f in zip(runs, floors, strict=True)]
    print(f"machine: {describe_machine()}; registry: {args.registry}; gunicorn workers: {args.workers}")
    print(
        f"{len(runs)} rounds of {n:,} frames ({args.nodes} nodes, {args.batch}-frame batches);"
        " min / median / max:"
    )
    print(
        f"floor (line protocol straight to InfluxDB): {spread(f.per_wall(n) for f in floors)} points/s wall,"
    )
    print(f"  {spread(f.per_cpu(n) for f in floors)} per CPU-second (client + influxd)")
    print(f"endpoint: {spread(m.per_wall(n) for m, n, _b in runs)} frames/s wall,")
    print(
        f"  {spread(m.per_cpu(n) for m, n, _b in runs)} per CPU-second"
        " (client + gunicorn + influxd + registry)"
    )
    print(
        f"  run {spread((m.wall_s for m, _n, _b in runs), '.1f')} s; "
        f"{sum(b for _m, _n, b in runs)} batches answered 429/503 and retried"
    )
    print(f"ratio wall-clock {spread(wall)} % of the floor; per CPU-second {spread(cpu)} %")
    print(load_average())


def round_data(
    args: argparse.Namespace, k: int, now: int
) -> tuple[list[str], list[bytes], int, list[dict[str, object]]]:
    """Round ``k``'s points: an older stretch of time and new counters, so every frame is new."""
    per_node = args.frames // args.nodes
    start = now - per_node * 900 * (k + 1)
    recs = records(args.nodes, per_node, start, seed=k + 1)
    frames = [
        {
            "node_id": r.node_id,
            "counter": r.counter + k * 10**7,
            "sampled_at": r.time_s,
            "received_at": now,
            "values": r.values,
        }
        for r in recs
    ]
    return [to_line(r) for r in recs], bodies(frames, args.batch), len(frames), frames[: args.batch]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--clients", type=int, default=0, help="concurrent gateways (default 2 × workers)")
    ap.add_argument("--nodes", type=int, default=1000)
    # 400,000 frames x 5 rounds: each endpoint run lasts ~5 s on the build machine, ~25 s in all
    # (one 200,000-frame run of 3-5 s ranged 28-56 % of the floor over four runs).
    ap.add_argument("--frames", type=int, default=400_000, help="frames per round")
    ap.add_argument("--rounds", type=int, default=5, help="floor + endpoint pairs, each on new data")
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--registry", choices=("sqlite", "postgresql"), default="postgresql")
    args = ap.parse_args()
    started = time.monotonic()
    now = int(time.time())
    floors: list[Meter] = []
    runs: list[tuple[Meter, int, int]] = []
    with Scratch("bench-ingest-") as tmp:
        influxd = start_influxd(tmp.path / "influx")
        pg = start_postgres(tmp.path / "pg") if args.registry == "postgresql" else None
        influx = f"http://127.0.0.1:{influxd.port}"
        db_url = pg.extra["url"] if pg else f"sqlite:///{tmp.path / 'registry.sqlite'}"
        token = make_registry(db_url, args.nodes)
        port = free_port()
        env = os.environ | {
            "RUONGSO_DATA_DIR": str(tmp.path / "data"),
            "RUONGSO_DATABASE_URL": db_url,
            "RUONGSO_TSDB_URL": f"influx://127.0.0.1:{influxd.port}/farm",
            "RUONGSO_AUTO_MIGRATE": "0",
        }
        gunicorn = [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{port}"]
        server = subprocess.Popen(
            [*gunicorn, "--timeout", "120", "ruongso.app:create_app()"], env=env, stderr=subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url)
            servers = [influxd.process.pid, server.pid] + ([pg.process.pid] if pg else [])
            for k in range(args.rounds):
                lines, batches, n, first = round_data(args, k, now)
                if k == 0:  # warm-up: workers open their connections (counters no round uses)
                    warm = [f | {"counter": int(str(f["counter"])) + 10**9} for f in first]
                    post_all(url, token, bodies(warm, args.batch), 1)
                with Meter(influxd.process.pid) as m:
                    floor(influx, lines, args.batch, f"floor{k}")
                floors.append(m)
                with Meter(*servers) as m:
                    stored, busy = post_all(url, token, batches, args.clients or 2 * args.workers)
                assert stored == n, (stored, n)
                runs.append((m, n, busy))
                print(f"round {k + 1}: floor {m_rate(floors[-1], n)}; endpoint {m_rate(m, n)}", flush=True)
        finally:
            server.terminate()
            server.wait(30)
            influxd.stop()
            if pg:
                pg.stop()
    report(args, floors, runs)
    print(f"whole run: {time.monotonic() - started:.1f} s wall, {cpu_s():.1f} CPU-seconds (all processes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
