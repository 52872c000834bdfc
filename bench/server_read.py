"""Dashboard read latency over one year of 15-minute data from 100 nodes (~3.5 M points) in the
real InfluxDB: daily rollups (what the API picks for a year) against the same query over raw.

    .venv/bin/python -m bench.server_read --nodes 100 --days 365

Results: docs/benchmarks-server.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import requests

from bench.server_common import FIRST_NODE
from bench.timing import describe_machine, percentile, time_ms
from server.timeseries.influx import InfluxStore
from server.timeseries.resolution import day_bucket
from tests.services import start_influxd


def load(store: InfluxStore, nodes: int, start: int, end: int, step: int = 900) -> int:
    """Line protocol straight into the raw RP, in 5,000-line batches (the loader is not under test)."""
    rng, http, lines, total = random.Random(1), requests.Session(), [], 0
    url = f"{store.base_url}/write"
    params = {"db": store.database, "rp": "raw", "precision": "s"}
    for t in range(start, end, step):
        for i in range(nodes):
            vwc, temp, rain = rng.uniform(0.1, 0.45), rng.uniform(18, 32), max(0.0, rng.gauss(-1, 1))
            lines.append(
                f"reading,farm=1,field={1 + i // 10},node={FIRST_NODE + i} counter={total}i,"
                f"soil_vwc={vwc:.4f},soil_temp={temp:.2f},rain={rain:.1f} {t}"
            )
            total += 1
        if len(lines) >= 5000:
            assert http.post(url, params=params, data="\n".join(lines)).status_code == 204
            lines = []
    if lines:
        assert http.post(url, params=params, data="\n".join(lines)).status_code == 204
    return total


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def settle(pid: int, limit_s: float = 300.0) -> float:
    """Wait until influxd has finished compacting what was just loaded (< 5 % of a core over 3 s):
    a year-old shard in service is compacted once, not while a farmer opens the dashboard."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit_s:
        before = cpu_s(pid)
        time.sleep(3)
        if cpu_s(pid) - before < 0.15:
            break
    return time.perf_counter() - t0


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and p95 in ms; no warm-up call here, main() warms the shard up once for all queries."""
    samples = time_ms(fn, runs, warmup=0)
    return percentile(samples, 50), percentile(samples, 95)


def raw_query(nodes: list[int], start: int, end: int) -> str:
    """What a daily chart would cost without rollups: the same GROUP BY day over the raw points."""
    pattern = "|".join(map(str, nodes))
    return (
        'SELECT mean("soil_vwc"), min("soil_vwc"), max("soil_vwc") FROM "farm"."raw"."reading"'
        f" WHERE node =~ /^({pattern})$/ AND time >= {start}s AND time < {end}s GROUP BY time(1d, 17h), node"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()
    influxd = start_influxd(Path(tempfile.mkdtemp(prefix="bench-read-")) / "influx")
    store = InfluxStore(f"http://127.0.0.1:{influxd.port}", "farm", raw_days=args.days + 30)
    try:
        store.setup()
        end = day_bucket(int(time.time()))
        start = end - args.days * 86400
        t0 = time.perf_counter()
        points = load(store, args.nodes, start, end)
        t_load = time.perf_counter() - t0
        print(f"loaded {points:,} points in {t_load:.0f} s", flush=True)
        t0 = time.perf_counter()
        store.backfill(start, end)  # the one-off SELECT … INTO; afterwards the CQs keep it current
        t_backfill = time.perf_counter() - t0
        print(f"backfilled rollups in {t_backfill:.0f} s", flush=True)
        t_settle = settle(influxd.process.pid)
        print(f"influxd settled (compactions done) after {t_settle:.0f} s", flush=True)
        for _ in range(3):  # first queries load the shard's index and blocks into memory
            store.aggregate(list(range(FIRST_NODE, FIRST_NODE + 10)), "soil_vwc", start, end, "day")
        nodes = [FIRST_NODE + i for i in range(args.nodes)]
        field = nodes[:10]  # a field's nodes (the loader puts 10 nodes in each field)
        fields = sorted({1 + i // 10 for i in range(args.nodes)})
        results = {
            "field (10 nodes), year, per-field daily rollup": timed(
                lambda: store.aggregate_fields([1], "soil_vwc", start, end, "day"), args.runs
            ),
            f"all {len(fields)} fields ({args.nodes} nodes), year, per-field daily": timed(
                lambda: store.aggregate_fields(fields, "soil_vwc", start, end, "day"), args.runs
            ),
            "field (10 nodes), month, per-field hourly rollup": timed(
                lambda: store.aggregate_fields([1], "soil_vwc", end - 30 * 86400, end, "hour"), args.runs
            ),
            "field (10 nodes), year, daily rollups, one series per node": timed(
                lambda: store.aggregate(field, "soil_vwc", start, end, "day"), args.runs
            ),
            f"all {args.nodes} nodes, year, daily rollups": timed(
                lambda: store.aggregate(nodes, "soil_vwc", start, end, "day"), args.runs
            ),
            "field (10 nodes), month, hourly rollups": timed(
                lambda: store.aggregate(field, "soil_vwc", end - 30 * 86400, end, "hour"), args.runs
            ),
        }
        print(results, flush=True)
        for label, subset in (("field (10 nodes)", field), (f"all {args.nodes} nodes", nodes)):
            q = raw_query(subset, start, end)
            results[f"{label}, year, same query over raw"] = timed(partial(store.query, q, timeout_s=900), 3)
        days = store.aggregate(nodes[:1], "soil_vwc", start, end, "day")[nodes[0]]
        assert len(days) >= args.days - 1, len(days)
        field_days = store.aggregate_fields([1], "soil_vwc", start, end, "day")[1]
        assert len(field_days) == len(days) and field_days[0].count == 10 * days[0].count
    finally:
        store.close()
        influxd.stop()
        shutil.rmtree(influxd.workdir.parent, ignore_errors=True)  # a year of points: hundreds of MB
    print(f"machine: {describe_machine()}; load average {os.getloadavg()[0]:.1f}")
    print(f"data: {points:,} points ({args.nodes} nodes × {args.days} d × 96/d), loaded in {t_load:.0f} s;")
    print(f"  rollup backfill (hourly + daily SELECT … INTO) {t_backfill:.0f} s; settled in {t_settle:.0f} s")
    for label, (median, p95) in results.items():
        print(f"{label:<58} median {median:8.1f} ms   p95 {p95:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
