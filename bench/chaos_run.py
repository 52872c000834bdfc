"""The full chaos run: 200 nodes, >= 20 gateway kill -9, a server outage of minutes that fills the
gateway's bounded outbox, Mosquitto and InfluxDB restarts. Prints the report as JSON.

    .venv/bin/python bench/chaos_run.py --nodes 200 --duration 600 --kills 25 --outage 180
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scratch import Scratch
from tests.chaos.harness import Chaos, ChaosConfig


def main() -> int:
    ap = argparse.ArgumentParser(description="full chaos run (loopback only)")
    ap.add_argument("--nodes", type=int, default=200)
    ap.add_argument("--duration", type=float, default=600)
    ap.add_argument("--interval", type=float, default=2.0, help="seconds between a node's samples")
    ap.add_argument("--kills", type=int, default=25)
    ap.add_argument("--outage", type=float, default=180, help="server outage, seconds")
    ap.add_argument("--outbox-mb", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=20251201)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    cfg = ChaosConfig(
        nodes=a.nodes, duration_s=min(a.duration, 900), interval_s=a.interval, gateway_kills=a.kills,
        server_outage_s=a.outage, outbox_max_mb=a.outbox_mb, drain_timeout_s=240, seed=a.seed, drivers=8,
    )  # fmt: skip
    with Scratch("ruongso-chaos-") as tmp:  # outboxes, broker, server and InfluxDB data: deleted after
        report = Chaos(tmp.path, cfg).run()
    print(report.as_json())
    if a.json:
        a.json.write_text(report.as_json())
    return 0 if report.lost_before_server == 0 and report.duplicated == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
