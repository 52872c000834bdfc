"""Where one 5,000-frame ingestion batch spends its time: cProfile of the endpoint in-process (Flask
test client) against a real PostgreSQL registry and a real InfluxDB, per stage (validation, dedupe
claim, placement, line protocol, InfluxDB write). For finding costs; throughput is server_ingest.

    .venv/bin/python -m bench.server_ingest_profile [--batches 12]

It also runs on older commits of the endpoint (it names their stages too), for before/after.

Profiling inflates Python time about 1.5-2x; compare stages within one run.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import os
import pstats
import time

from bench.scratch import Scratch
from bench.server_common import make_registry, records
from tests.services import start_influxd, start_postgres

STAGES = {  # label -> (file suffix, function names) as cProfile names them
    "whole request": ("server/ingest/routes.py", ("ingest_frames",)),
    "validation (parse_frames)": ("server/ingest/batch.py", ("parse_frames",)),
    "placement query": ("server/ingest/dedupe.py", ("placements",)),
    # claim: one statement (current); classify + record_seen: the two statements it replaced
    "dedupe (PostgreSQL)": ("server/ingest/dedupe.py", ("claim", "classify", "record_seen")),
    "InfluxDB write (line protocol + HTTP)": ("server/timeseries/influx.py", ("write",)),
    "  of which line protocol": ("server/timeseries/lineproto.py", ("to_line",)),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, default=12)
    args = ap.parse_args()
    with Scratch("bench-ingest-profile-") as scratch:  # deleted after, however the run ends
        tmp = scratch.path
        influx, pg = start_influxd(tmp / "influx"), start_postgres(tmp / "pg")
        try:
            token = make_registry(pg.extra["url"], 1000)
            os.environ.update(
                RUONGSO_DATA_DIR=str(tmp / "data"),
                RUONGSO_DATABASE_URL=pg.extra["url"],
                RUONGSO_TSDB_URL=f"influx://127.0.0.1:{influx.port}/farm",
                RUONGSO_AUTO_MIGRATE="0",
            )
            from ruongso.app import create_app

            client = create_app().test_client()
            now = int(time.time())
            per_node = 5 * args.batches
            frames = [
                {"node_id": r.node_id, "counter": r.counter, "sampled_at": r.time_s, "received_at": now,
                 "values": r.values}
                for r in records(1000, per_node, now - per_node * 900)
            ]  # fmt: skip
            bodies = [gzip.compress(json.dumps({"frames": frames[i : i + 5000]}).encode(), 1)
                      for i in range(0, len(frames), 5000)]  # fmt: skip
            headers = {"Authorization": f"Bearer {token}", "Content-Encoding": "gzip"}

            def send(body: bytes) -> None:
                r = client.post(
                    "/api/v1/gateway/frames", data=body, headers=headers, content_type="application/json"
                )
                assert r.status_code == 200 and r.get_json()["stored"] == 5000, r.get_json()

            send(bodies[0])  # warm-up: connections, CQ setup
            prof = cProfile.Profile()
            prof.enable()
            for body in bodies[1:]:
                send(body)
            prof.disable()
            n = len(bodies) - 1
            stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
            print(f"{n} batches of 5,000 frames; cumulative ms per batch (cProfile on):")
            for label, (suffix, names) in STAGES.items():
                cum = sum(v[3] for (f, _l, fn), v in stats.items() if f.endswith(suffix) and fn in names)
                print(f"  {label:<40} {cum / n * 1000:7.1f}")
        finally:
            influx.stop()
            pg.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
