"""Dashboard read latency over one year of 15-minute data from 100 nodes (~3.5 M points) in the
real InfluxDB: daily rollups (what the API picks for a year) against the same query over raw.

    .venv/bin/python -m bench.server_read --nodes 100 --days 365

Each query is timed by wall-clock (median, p95) and by CPU-seconds of influxd and this client
(per query, over all its runs), since wall time on a shared machine includes the neighbours.
The year of points (hundreds of MB) is deleted at the end, also after an error or Ctrl-C.
Results: docs/benchmarks-server.md.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import requests

from bench.scratch import Scratch
from bench.server_common import FIRST_NODE
from bench.timing import Meter, describe_machine, load_average, percentile, time_ms
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


def timed(fn: Callable[[], object], runs: int, pid: int) -> tuple[float, float, float]:
    """Median and p95 in ms, and CPU ms per query of influxd (``pid``) and this client; no warm-up
    call here, main() warms the shard up once for all queries."""
    with Meter(pid) as m:
        samples = time_ms(fn, runs, warmup=0)
    return percentile(samples, 50), percentile(samples, 95), m.cpu_s / runs * 1000


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
    with Scratch("bench-read-") as tmp:
        return measure(args, tmp.path)


def measure(args: argparse.Namespace, tmp: Path) -> int:
    influxd = start_influxd(tmp / "influx")
    store = InfluxStore(f"http://127.0.0.1:{influxd.port}", "farm", raw_days=args.days + 30)
    pid = influxd.process.pid
    try:
        store.setup()
        end = day_bucket(int(time.time()))
        start = end - args.days * 86400
        with Meter(pid) as m_load:
            points = load(store, args.nodes, start, end)
        t_load = m_load.wall_s
        print(f"loaded {points:,} points in {t_load:.0f} s ({m_load.cpu_s:.0f} CPU-s)", flush=True)
        with Meter(pid) as m_backfill:
            store.backfill(start, end)  # the one-off SELECT … INTO; afterwards the CQs keep it current
        t_backfill = m_backfill.wall_s
        print(f"backfilled rollups in {t_backfill:.0f} s ({m_backfill.cpu_s:.0f} CPU-s)", flush=True)
        t_settle = settle(influxd.process.pid)
        print(f"influxd settled (compactions done) after {t_settle:.0f} s", flush=True)
        for _ in range(3):  # first queries load the shard's index and blocks into memory
            store.aggregate(list(range(FIRST_NODE, FIRST_NODE + 10)), "soil_vwc", start, end, "day")
        nodes = [FIRST_NODE + i for i in range(args.nodes)]
        field = nodes[:10]  # a field's nodes (the loader puts 10 nodes in each field)
        fields = sorted({1 + i // 10 for i in range(args.nodes)})
        results = {
            "field (10 nodes), year, per-field daily rollup": timed(
                lambda: store.aggregate_fields([1], "soil_vwc", start, end, "day"), args.runs, pid
            ),
            f"all {len(fields)} fields ({args.nodes} nodes), year, per-field daily": timed(
                lambda: store.aggregate_fields(fields, "soil_vwc", start, end, "day"), args.runs, pid
            ),
            "field (10 nodes), month, per-field hourly rollup": timed(
                lambda: store.aggregate_fields([1], "soil_vwc", end - 30 * 86400, end, "hour"), args.runs, pid
            ),
            "field (10 nodes), year, daily rollups, one series per node": timed(
                lambda: store.aggregate(field, "soil_vwc", start, end, "day"), args.runs, pid
            ),
            f"all {args.nodes} nodes, year, daily rollups": timed(
                lambda: store.aggregate(nodes, "soil_vwc", start, end, "day"), args.runs, pid
            ),
            "field (10 nodes), month, hourly rollups": timed(
                lambda: store.aggregate(field, "soil_vwc", end - 30 * 86400, end, "hour"), args.runs, pid
            ),
        }
        print(results, flush=True)
        for label, subset in (("field (10 nodes)", field), (f"all {args.nodes} nodes", nodes)):
            q = raw_query(subset, start, end)
            results[f"{label}, year, same query over raw"] = timed(
                partial(store.query, q, timeout_s=900), 3, pid
            )
        days = store.aggregate(nodes[:1], "soil_vwc", start, end, "day")[nodes[0]]
        assert len(days) >= args.days - 1, len(days)
        field_days = store.aggregate_fields([1], "soil_vwc", start, end, "day")[1]
        assert len(field_days) == len(days) and field_days[0].count == 10 * days[0].count
    finally:
        store.close()
        influxd.stop()
    print(f"machine: {describe_machine()}; {load_average()}")
    print(f"data: {points:,} points ({args.nodes} nodes × {args.days} d × 96/d), loaded in {t_load:.0f} s")
    print(f"  ({m_load.cpu_s:.0f} CPU-s); rollup backfill (hourly + daily SELECT … INTO) {t_backfill:.0f} s")
    print(f"  ({m_backfill.cpu_s:.0f} CPU-s); settled in {t_settle:.0f} s")
    for label, (median, p95, cpu_ms) in results.items():
        print(f"{label:<58} median {median:8.1f} ms   p95 {p95:8.1f} ms   CPU {cpu_ms:8.1f} ms/query")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
