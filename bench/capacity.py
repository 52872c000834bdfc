"""Capacity per app core, measured on the namespaced province (issue 19).

    .venv/bin/python -m bench.capacity --seconds 20 --nodes 300000 --farmers 300000

Starts the multi-host layout of ``deploy/cluster`` (PostgreSQL primary + synchronous replica,
InfluxDB, app hosts behind HAProxy) and loads **one** app host with one gunicorn worker directly:

* gateway uploads at three batch sizes: 1 frame (the steady state: a gateway with 50 nodes at
  15 min hears a frame every 18 s and forwards it at once), 50 and 5,000 (the replay after an
  outage); every frame new, so each is really written;
* farmer screens (home, farm list, field, daily chart) by signed-in farmers;
* sign-ins (the password hash dominates them).

It reports each as units per **CPU-second of the app host** (gunicorn master + worker, from /proc),
which is what one core sustains whatever else shares this machine, and the PostgreSQL and InfluxDB
CPU-seconds per unit, to size those hosts. Then it applies the capacity model of
``docs/deployment.md`` to ``--nodes`` and ``--farmers``. Needs root and haproxy, like
``bench/cluster.py``; its temporary directory is removed afterwards. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scratch import Scratch
from bench.timing import tree_cpu_s
from demo.people import FARMERS
from deploy.cluster.hosts import APP_PORT, Cluster
from deploy.cluster.netns import unavailable
from deploy.cluster.scenario import Plan, seed_gateways

# The usage profile of the model (an assumption, stated in docs/deployment.md): a farmer opens the
# app a few times a day, ~20 screen requests; at the morning peak 10 % of farmers within one hour;
# one sign-in per farmer per month (sessions last 30 days).
REQUESTS_PER_VISIT, PEAK_SHARE = 20, 0.10
HEADROOM = 0.6  # run cores at 60 % at the peak: the rest absorbs bursts and a lost host's share


Call = Callable[[requests.Session, int], int]  # one request with a session; units it carried


class Load:
    """Runs ``call`` from ``clients`` threads for ``seconds``; counts units and latencies."""

    def __init__(self, call: Call, clients: int, seconds: float) -> None:
        self.call, self.clients, self.seconds = call, clients, seconds
        self.units, self.errors = 0, 0
        self.latencies: list[float] = []
        self.why: Counter[str] = Counter()
        self._lock = threading.Lock()

    def run(self) -> None:
        until = time.monotonic() + self.seconds
        threads = [threading.Thread(target=self._client, args=(i, until)) for i in range(self.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def _client(self, index: int, until: float) -> None:
        http, k = requests.Session(), 0
        while time.monotonic() < until:
            t0 = time.perf_counter()
            try:
                units = self.call(http, index * 10_000_000 + k)
            except (requests.RequestException, AssertionError) as exc:
                units = -1
                with self._lock:
                    self.why[f"{type(exc).__name__}: {str(exc)[:60]}"] += 1
            with self._lock:
                if units < 0:
                    self.errors += 1
                else:
                    self.units += units
                    self.latencies.append(time.perf_counter() - t0)
            k += 1


def measure(cluster: Cluster, name: str, load: Load, warm_up: Load) -> dict[str, Any]:
    """Runs ``warm_up`` (first requests load modules, templates, connections), then ``load``."""
    warm_up.run()
    procs = {role: cluster.procs[role].process.pid for role in ("app1", "db1", "influx")}
    before = {role: tree_cpu_s(pid) for role, pid in procs.items()}
    t0 = time.perf_counter()
    load.run()
    wall = time.perf_counter() - t0
    time.sleep(1.0)  # let InfluxDB finish the writes it acknowledged (its WAL flush is its own CPU)
    cpu = {role: tree_cpu_s(pid) - before[role] for role, pid in procs.items()}
    units = max(load.units, 1)
    row = {
        "what": name,
        "units": load.units,
        "errors": load.errors,
        "wall_s": round(wall, 1),
        "per_wall_s": round(load.units / wall, 1),
        "app_cpu_s": round(cpu["app1"], 2),
        "per_app_cpu_s": round(load.units / max(cpu["app1"], 1e-9), 1),
        "postgres_cpu_ms_per_unit": round(1000 * cpu["db1"] / units, 3),
        "influx_cpu_ms_per_unit": round(1000 * cpu["influx"] / units, 3),
        "p50_ms": round(1000 * statistics.median(load.latencies), 1) if load.latencies else None,
        "errors_why": dict(load.why.most_common(3)),
    }
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def uploads(url: str, token: str, nodes: list[int], batch: int, phase: int) -> Call:
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
    }
    now = int(time.time())

    seq = itertools.count()  # next() on a count is atomic: every frame gets its own number

    def call(http: requests.Session, k: int) -> int:
        numbers = [next(seq) for _ in range(batch)]
        frames = [
            {
                "node_id": nodes[n % len(nodes)],
                "counter": phase * 100_000_000 + n,  # never seen before: really written
                "sampled_at": now - 60,
                "received_at": now,
                "values": {"soil_vwc": 0.25 + n % 10 / 100, "battery": 3.9, "rssi": -70.0},
            }
            for n in numbers
        ]
        body = gzip.compress(json.dumps({"frames": frames}).encode(), 1)
        r = http.post(url + "/api/v1/gateway/frames", data=body, headers=headers, timeout=120)
        if r.status_code == 429:  # back-pressure: the gateway keeps the batch and comes back
            time.sleep(0.05)
            return 0
        assert r.status_code == 200, r.text[:200]
        return int(r.json()["stored"])

    return call


def screens(url: str) -> Call:
    signed: dict[int, int] = {}  # client session -> its farmer's first field

    def call(http: requests.Session, k: int) -> int:
        client = id(http)
        if client not in signed:  # once per client session, outside the timed units
            phone, password, _role = FARMERS[k // 10_000_000 % len(FARMERS)]
            r = http.post(url + "/api/v1/auth/login", json={"phone": phone, "password": password}, timeout=30)
            r.raise_for_status()
            farms = http.get(url + "/api/v1/app/farms", timeout=30).json()
            field_id = next(f["id"] for farm in farms["farms"] for f in farm["fields"])
            signed[client] = field_id
        field_id = signed[client]
        paths = ("/api/v1/app/home", "/api/v1/app/farms", f"/api/v1/app/fields/{field_id}")
        path = (*paths, f"/api/v1/fields/{field_id}/daily")[k % 4]
        r = http.get(url + path, timeout=30)
        assert r.status_code == 200, (path, r.status_code, r.text[:80])
        return 1

    return call


def logins(url: str) -> Call:
    def call(http: requests.Session, k: int) -> int:
        phone, password, _role = FARMERS[k % len(FARMERS)]
        r = requests.post(url + "/api/v1/auth/login", json={"phone": phone, "password": password}, timeout=30)
        assert r.status_code == 200, r.status_code
        return 1

    return call


def model(rows: dict[str, dict[str, Any]], nodes: int, farmers: int, cores_per_host: int) -> dict[str, Any]:
    """Cores and hosts for ``nodes`` at one frame per 15 min and ``farmers`` (docs/deployment.md)."""
    steady_fps = nodes / 900
    replay_fps = nodes * 96 / 3600  # a 24-hour backlog of every node delivered within an hour
    peak_rps = farmers * PEAK_SHARE * REQUESTS_PER_VISIT / 3600
    steady = steady_fps / rows["upload_1"]["per_app_cpu_s"]
    replay = replay_fps / rows["upload_5000"]["per_app_cpu_s"]
    users = peak_rps / rows["screens"]["per_app_cpu_s"]
    cores = (max(steady, replay) + users) / HEADROOM  # a replay and a morning peak may coincide
    hosts = math.ceil(cores / cores_per_host) + 1  # + 1: losing any one host keeps the service up
    return {
        "nodes": nodes,
        "farmers": farmers,
        "steady_frames_per_s": round(steady_fps, 1),
        "replay_frames_per_s": round(replay_fps, 1),
        "peak_screen_requests_per_s": round(peak_rps, 1),
        "app_cores_steady_ingest": round(steady, 2),
        "app_cores_replay": round(replay, 2),
        "app_cores_users": round(users, 2),
        "app_cores_total_at_60_percent": round(cores, 2),
        "app_hosts": hosts,
        "cores_per_host": cores_per_host,
        "postgres_cpu_s_per_s_at_peak": round(
            (
                steady_fps * rows["upload_1"]["postgres_cpu_ms_per_unit"]
                + peak_rps * rows["screens"]["postgres_cpu_ms_per_unit"]
            )
            / 1000,
            2,
        ),
        "influx_cpu_s_per_s_replay": round(
            replay_fps * rows["upload_5000"]["influx_cpu_ms_per_unit"] / 1000, 2
        ),
    }


def measure_all(cluster: Cluster, seconds: float, clients: int) -> dict[str, dict[str, Any]]:
    """Every load of the model in turn, on app1 of a started cluster."""
    spec = seed_gateways(cluster, Plan(nodes_per_gateway=1000, gateways=1))[0]
    nodes = [n["node_id"] for n in spec["nodes"]]
    app1 = f"http://{cluster.host('app1').address}:{APP_PORT}"
    warm = min(3.0, seconds)
    rows: dict[str, dict[str, Any]] = {}
    for phase, batch in enumerate((1, 50, 5000), start=1):
        uploaders = clients if batch < 5000 else 2
        load = Load(uploads(app1, spec["token"], nodes, batch, phase), uploaders, seconds)
        warm_up = Load(uploads(app1, spec["token"], nodes, batch, phase + 10), uploaders, warm)
        rows[f"upload_{batch}"] = measure(cluster, f"frames in {batch}-frame uploads", load, warm_up)
    look = screens(app1)
    rows["screens"] = measure(
        cluster, "farmer screen requests", Load(look, clients, seconds), Load(look, 1, warm)
    )
    sign_in = logins(app1)
    rows["logins"] = measure(cluster, "sign-ins", Load(sign_in, 2, min(seconds, 10.0)), Load(sign_in, 1, 1))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each load phase")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients per phase")
    parser.add_argument("--nodes", type=int, default=300_000, help="nodes for the capacity model")
    parser.add_argument("--farmers", type=int, default=300_000, help="farmers for the capacity model")
    parser.add_argument("--cores-per-host", type=int, default=4)
    args = parser.parse_args(argv)
    if (why := unavailable()) is not None:
        print(f"bench/capacity.py: {why}", file=sys.stderr)
        return 2
    with Scratch("rs-capacity-") as scratch:  # a kill unwinds through the namespaces' teardown too
        cluster = Cluster(scratch.path)
        try:
            cluster.start()
            rows = measure_all(cluster, args.seconds, args.clients)
        finally:
            cluster.close()
    print(json.dumps(model(rows, args.nodes, args.farmers, args.cores_per_host), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
