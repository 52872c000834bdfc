"""One farm gateway with its simulated nodes, run inside its own namespaced host.

``python -m deploy.cluster.gateway_host SPEC.json``: the spec names the server (the load balancer),
the gateway token and its nodes' keys. The gateway first holds ``backlog`` frames per node, as after
a long outage (96 = 24 h at one frame per 15 min), then its forwarder replays them while every node
keeps sending a live frame each ``period_s``. When ``<spec>.stop`` appears the nodes stop; the
gateway drains its outbox and writes ``<spec>.result.json``: every frame it accepted (acknowledged to
the node once durable) and what the server answered. The uplink is a relay (``uplink.LossyUplink``):
while ``<spec>.lossy`` exists, the answers to frame uploads are lost on the way back; the number lost
so far is written to ``<spec>.lost``.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from deploy.cluster.uplink import LossyUplink
from firmware.lib import framecodec as fc
from gateway.intake import RawFrame, Verdict
from gateway.service import Gateway, GatewayConfig


def frame(node: dict[str, Any], counter: int, received_at: float) -> RawFrame:
    ch = fc.CHANNEL_IDS
    readings = [(ch["soil_vwc"], 0.2 + (counter % 20) / 100, 0), (ch["battery"], 3.9, 0)]
    return RawFrame(fc.encode(bytes.fromhex(node["key"]), node["node_id"], counter, 0, readings), received_at)


def main(spec_path: Path) -> int:
    spec = json.loads(spec_path.read_text())
    lb = urlsplit(spec["server"])
    relay = LossyUplink((lb.hostname or "", lb.port or 80))
    gw = Gateway(GatewayConfig(Path(spec["data_dir"]), relay.url, spec["token"], health_push_s=0))
    while not gw.refresh_keys():  # the load balancer may still be starting
        time.sleep(0.5)
    nodes, accepted = spec["nodes"], 0
    counters = {n["node_id"]: 0 for n in nodes}
    now = time.time()
    for k in range(spec["backlog"]):  # oldest first, one per 15 min
        at = now - (spec["backlog"] - k) * 900
        for node in nodes:
            counters[node["node_id"]] += 1
            results = gw.processor.process([frame(node, counters[node["node_id"]], at)])
            accepted += sum(r.verdict is Verdict.ACCEPTED for r in results)
    stop = threading.Event()
    uplink = threading.Thread(target=gw.forwarder.run, args=(stop, 0.2), daemon=True)
    uplink.start()
    stop_file, lossy_file = spec_path.with_suffix(".stop"), spec_path.with_suffix(".lossy")
    last_health = 0.0
    while not stop_file.exists():
        if lossy_file.exists():
            relay.lose_replies.set()
        else:
            relay.lose_replies.clear()
        spec_path.with_suffix(".lost").write_text(str(relay.replies_lost))
        for node in nodes:
            counters[node["node_id"]] += 1
            results = gw.processor.process([frame(node, counters[node["node_id"]], time.time())])
            accepted += sum(r.verdict is Verdict.ACCEPTED for r in results)
        gw.forwarder.wake.set()
        if time.time() - last_health > 5:  # the fleet view goes to whichever app host answers
            last_health = time.time()
            gw.push_health()
        time.sleep(spec["period_s"])
    deadline = time.time() + spec.get("drain_s", 120)
    while gw.outbox.depth() and time.time() < deadline:
        gw.forwarder.wake.set()
        time.sleep(0.2)
    stop.set()
    uplink.join(timeout=35)
    stats = gw.forwarder.stats
    result = {
        "accepted": accepted,
        "counters": counters,
        "left_in_outbox": gw.outbox.depth(),
        "server_stored": stats.uploaded,
        "server_duplicates": stats.duplicates,
        "confirmed": stats.confirmed,
        "dead_lettered": stats.dead_lettered,
        "failures": stats.failures,
        "replies_lost": relay.replies_lost,
    }
    spec_path.with_suffix(".result.json").write_text(json.dumps(result))
    gw.shutdown()
    relay.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
