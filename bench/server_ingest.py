"""Ingest throughput: gateway batches through the HTTP endpoint (gunicorn, several workers) into
the real InfluxDB, against the floor of writing the same line protocol straight to InfluxDB.

    .venv/bin/python -m bench.server_ingest --workers 4 --frames 200000

One frame = one point with six float channels (as the floor's lines). Results: docs/benchmarks-server.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.server_common import make_registry, records
from bench.timing import cpu_s, describe_machine, tree_cpu_s
from server.timeseries.lineproto import to_line
from tests.services import free_port, start_influxd, start_postgres


def floor(influx: str, lines: list[str], batch: int, db: str) -> float:
    http = requests.Session()
    http.post(f"{influx}/query", data={"q": f"CREATE DATABASE {db}"}).raise_for_status()
    t0 = time.perf_counter()
    for i in range(0, len(lines), batch):
        r = http.post(
            f"{influx}/write", params={"db": db, "precision": "ms"}, data="\n".join(lines[i : i + batch])
        )
        assert r.status_code == 204, r.text
    return len(lines) / (time.perf_counter() - t0)


def bodies(frames: list[dict[str, object]], batch: int) -> list[bytes]:
    return [
        gzip.compress(json.dumps({"frames": frames[i : i + batch]}).encode(), 1)
        for i in range(0, len(frames), batch)
    ]


def post_all(url: str, token: str, batches: list[bytes], clients: int) -> tuple[float, int, int]:
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

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        stored = sum(pool.map(send, batches))
    return time.perf_counter() - t0, stored, busy


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--clients", type=int, default=0, help="concurrent gateways (default 2 × workers)")
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--frames", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--registry", choices=("sqlite", "postgresql"), default="postgresql")
    args = ap.parse_args()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    influxd = start_influxd(tmp / "influx")
    pg = start_postgres(tmp / "pg") if args.registry == "postgresql" else None
    influx = f"http://127.0.0.1:{influxd.port}"
    per_node = args.frames // args.nodes
    now = int(time.time())
    recs = records(args.nodes, per_node, now - per_node * 900)
    lines = [to_line(r) for r in recs]
    floor_before = floor(influx, lines, args.batch, "floor1")
    db_url = pg.extra["url"] if pg else f"sqlite:///{tmp / 'registry.sqlite'}"
    token = make_registry(db_url, args.nodes)
    frames = [
        {
            "node_id": r.node_id,
            "counter": r.counter,
            "sampled_at": r.time_s,
            "received_at": now,
            "values": r.values,
        }
        for r in recs
    ]
    batches = bodies(frames, args.batch)
    port = free_port()
    env = os.environ | {
        "RUONGSO_DATA_DIR": str(tmp / "data"),
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
        for _ in range(200):
            try:
                if requests.get(url + "/api/v1/openapi.json", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        warm = [f | {"counter": r.counter + 10**6} for f, r in zip(frames[: args.batch], recs, strict=False)]
        post_all(url, token, bodies(warm, args.batch), 1)  # warm-up: workers open their connections
        server_cpu0 = tree_cpu_s(server.pid)
        elapsed, stored, busy = post_all(url, token, batches, args.clients or 2 * args.workers)
        server_cpu = tree_cpu_s(server.pid) - server_cpu0
        floor_after = floor(influx, lines, args.batch, "floor2")  # the machine's load drifts: measure twice
    finally:
        server.terminate()
        server.wait(30)
        influxd.stop()
        if pg:
            pg.stop()
            shutil.rmtree(pg.workdir, ignore_errors=True)  # as root, PostgreSQL's own temp directory
        shutil.rmtree(tmp, ignore_errors=True)  # hundreds of MB of InfluxDB shards per run
    assert stored == len(frames), (stored, len(frames))
    rate = stored / elapsed
    print(f"machine: {describe_machine()}; registry: {args.registry}; gunicorn workers: {args.workers}")
    floor_rate = (floor_before + floor_after) / 2
    print(f"floor (line protocol, {args.batch}-line batches): {floor_before:,.0f} points/s before,")
    print(f"  {floor_after:,.0f} after the endpoint run; mean {floor_rate:,.0f}")
    print(f"endpoint: {stored:,} new frames in {elapsed:.2f} s = {rate:,.0f} readings/s")
    print(f"  {busy} batches were answered 429/503 and retried; load average {os.getloadavg()[0]:.1f}")
    print(f"ratio: {rate / floor_rate:.0%} of the floor")
    print(
        f"endpoint per CPU-second of gunicorn: {stored / max(server_cpu, 1e-9):,.0f} frames"
        f" ({server_cpu:.1f} CPU-s)"
    )
    print(f"whole run: {time.monotonic() - started:.1f} s wall, {cpu_s():.1f} CPU-seconds (all processes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
