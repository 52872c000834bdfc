"""The province on namespaced hosts, long run (issue 19): 2 app hosts (gunicorn) behind HAProxy,
PostgreSQL primary + synchronous streaming replica, InfluxDB, 3 gateways with simulated nodes.

    .venv/bin/python -m bench.cluster --nodes 20 --backlog 96 --cut-s 600

Kills an app host (kill -9) during the replay of a 24-hour backlog, restarts HAProxy, promotes the
replica, drops the answers to a gateway's uploads, cuts one gateway off for ``--cut-s`` seconds;
prints acknowledged / stored / lost / duplicated and whether a signed-in farmer stayed signed in.
Needs root (``ip netns``) and haproxy (``scripts/setup-env.sh``). Its temporary directory is
removed afterwards, also on Ctrl-C or SIGTERM. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scratch import Scratch
from deploy.cluster.netns import unavailable
from deploy.cluster.scenario import Plan, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=20, help="simulated nodes per gateway")
    parser.add_argument("--backlog", type=int, default=96, help="frames per node held before the replay")
    parser.add_argument("--period-s", type=float, default=1.0, help="a live frame per node this often")
    parser.add_argument("--cut-s", type=float, default=600.0, help="how long one gateway is cut off")
    parser.add_argument("--settle-s", type=float, default=10.0, help="pause between faults")
    args = parser.parse_args(argv)
    why = unavailable()
    if why:
        print(f"bench/cluster.py: {why}", file=sys.stderr)
        return 2
    plan = Plan(args.nodes, args.backlog, args.period_s, args.settle_s, args.cut_s)
    with Scratch("rs-cluster-") as scratch:  # a kill unwinds through the namespaces' teardown too
        summary = run(scratch.path, plan).summary()
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    ok = summary["lost"] == 0 and summary["duplicated"] == 0 and summary["signed_in_after_app_kill"]
    return 0 if ok and summary["signed_in_after_db_failover"] else 1


if __name__ == "__main__":
    sys.exit(main())
