"""Store-and-forward against a real server process and a real InfluxDB: outages, lost answers,
``kill -9`` of a real ``farm gateway run`` fed over a real serial pty. Seeded, no timed asserts."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from firmware.lib import framecodec as fc
from gateway.forwarder import RetryLater
from gateway.intake import RawFrame, Verdict
from gateway.service import Gateway, GatewayConfig
from server.timeseries.influx import InfluxStore
from tests.gateway.bridgesim import PtyBridge, SimNode, deliver_acks, wait_for
from tests.gateway.conftest import ServerHandle

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parents[2]


def stored_counters(influx_url: str, node_ids: list[int]) -> dict[int, list[int]]:
    """Every point's counter per node, as the server wrote them (duplicates would show twice)."""
    store = InfluxStore.from_url(influx_url)
    out: dict[int, list[int]] = {n: [] for n in node_ids}
    try:
        results = store.query('SELECT "counter" FROM "reading" GROUP BY "node"')
    except ValueError:
        return out  # database not created yet: nothing stored
    for series in results[0].get("series", []):
        node = int(series["tags"]["node"])
        if node in out:
            out[node] = sorted(int(row[1]) for row in series["values"])
    return out


def frames_for(node: Any, counters: range, now: int) -> list[RawFrame]:
    ch = fc.CHANNEL_IDS
    return [
        RawFrame(
            fc.encode(node.key, node.node_id, c, 0, [(ch["soil_vwc"], 0.3, 0), (ch["battery"], 3.9, 0)]),
            now - 60 * (counters.stop - c),  # one reading a minute: one point per counter
        )
        for c in counters
    ]


def test_server_outage_then_recovery_delivers_exactly_once(server: ServerHandle, tmp_path: Path) -> None:
    gw = Gateway(GatewayConfig(tmp_path / "gw", server.url, server.token, health_push_s=0))
    assert gw.refresh_keys()
    nodes = list(server.nodes[0:3])  # each test has its own nodes on the shared server
    now = int(time.time())
    server.stop()  # the farm's internet goes down
    for node in nodes:
        results = gw.processor.process(frames_for(node, range(1, 41), now))
        assert all(r.verdict is Verdict.ACCEPTED for r in results)
    with pytest.raises(RetryLater):
        gw.forwarder.send_once()
    assert gw.outbox.depth() == 120
    server.start()
    # The first answer is lost after the server stored the batch (the trim never happens) ...
    real_confirm = gw.outbox.confirm

    def crash_before_trim(seqs: Any) -> None:
        gw.outbox.confirm = real_confirm  # type: ignore[method-assign]
        raise RuntimeError("power cut before the trim")

    gw.outbox.confirm = crash_before_trim  # type: ignore[method-assign]
    gw.forwarder.batch_size = gw.forwarder._limit = 50
    with pytest.raises(RuntimeError):
        gw.forwarder.send_once()
    # ... so the same frames go again: the server recognises them, nothing is stored twice.
    gw.forwarder.drain()
    assert gw.outbox.depth() == 0
    assert gw.forwarder.stats.duplicates == 50 and gw.forwarder.stats.uploaded == 70
    counters = stored_counters(server.tsdb_url, [n.node_id for n in nodes])
    assert counters == {n.node_id: list(range(1, 41)) for n in nodes}
    gw.shutdown()


def test_rules_and_health_come_from_and_go_to_the_server(server: ServerHandle, tmp_path: Path) -> None:
    import json

    import requests

    from cli.main import main as farm
    from server.db import Database
    from server.technician import gateway_health as gateway_docs

    gw = Gateway(GatewayConfig(tmp_path / "gw", server.url, server.token, health_push_s=0))
    assert gw.refresh_keys() and gw.refresh_rules() and gw.rules.ruleset.version == 0
    gateway_id = json.loads((tmp_path / "gw" / "node-keys.json").read_text())["gateway_id"]
    rules_dir = server.data_dir / "gateway-rules"
    rules_dir.mkdir(exist_ok=True)
    field_id = server.nodes[8].field_id
    good = {"version": 7, "rules": [{"id": "refill-1", "field_id": field_id, "below": 0.2, "valve": "v1"}]}
    (rules_dir / f"{gateway_id}.json").write_text(json.dumps(good))
    assert gw.refresh_rules() and gw.rules.ruleset.version == 7
    # An older release's rules file is imported once; from then on the registry row is the truth.
    assert not (rules_dir / f"{gateway_id}.json").exists()
    registry = Database(f"sqlite:///{server.data_dir / 'registry.sqlite'}")
    with registry.session() as session:
        gateway_docs.save(session, gateway_id, gateway_docs.RULES, {"version": 8, "rules": [{"id": "x"}]}, 0)
    registry.engine.dispose()
    assert not gw.refresh_rules() and gw.rules.ruleset.version == 7  # the bad set is refused
    # A node reports a low battery and a failed sensor: the health push carries the visit list.
    node = server.nodes[8]
    ch = fc.CHANNEL_IDS
    low = fc.encode(
        node.key, node.node_id, 1, 0, [(ch["battery"], 3.31, 0), (ch["air_rh"], None, fc.STATUS_CRC)]
    )
    assert gw.processor.process([RawFrame(low, time.time())])[0].verdict is Verdict.ACCEPTED
    assert gw.push_health()
    pushed = requests.get(
        server.url + "/api/v1/gateway/health", headers={"Authorization": f"Bearer {server.token}"}, timeout=5
    ).json()
    visit = next(v for v in pushed["needs_visit"] if v["node_id"] == node.node_id)
    assert visit["severity"] == 3 and {"battery_low", "sensor_fault"} <= {r["code"] for r in visit["reasons"]}
    gw.write_health()
    gw.shutdown()
    # Offline: the last good rules come from the cache, the status command works without a server.
    server.stop()
    try:
        again = Gateway(GatewayConfig(tmp_path / "gw", server.url, server.token, health_push_s=0))
        assert again.rules.ruleset.version == 7 and not again.refresh_rules()
        again.shutdown()
        assert farm(["gateway", "status", "--data-dir", str(tmp_path / "gw")]) == 0
    finally:
        server.start()


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[PtyBridge]:
    b = PtyBridge(tmp_path / "ttyUSB-bridge")
    yield b
    b.close()


class GatewayProcess:
    """A real ``farm gateway run`` on the serial link; ``kill9()`` is a power cut."""

    def __init__(self, server: ServerHandle, data_dir: Path, link: Path) -> None:
        self.cmd = [
            sys.executable, "-m", "cli.main", "gateway", "run", "--data-dir", str(data_dir),
            "--server", server.url, "--no-mqtt", "--serial", str(link), "--status-port", "0",
            "--health-push-s", "86400", "--key-refresh-s", "3600",  # no health push during the test
        ]  # fmt: skip
        self.env = os.environ | {"RUONGSO_GATEWAY_TOKEN": server.token}
        self.log = (data_dir.parent / "gateway.log").open("ab")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.cmd, env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT
        )

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)
        self.log.close()


def test_kill_9_at_random_points_loses_and_duplicates_nothing(
    server: ServerHandle, bridge: PtyBridge, tmp_path: Path
) -> None:
    rng = random.Random(20261128)
    nodes = [
        SimNode(n.node_id, n.key, bytes([0x24, 0x6F, 0x28, 0, 0, i])) for i, n in enumerate(server.nodes[3:7])
    ]
    gw = GatewayProcess(server, tmp_path / "gw", bridge.link)
    gw.start()
    kills = 0
    try:
        for _round in range(6):
            for node in nodes:
                for _ in range(rng.randint(5, 15)):
                    node.sample(time.time())
            backlog = [(n, c) for n in nodes for c in sorted(n.pending)]
            kill_at = rng.randrange(len(backlog)) if _round < 5 else None
            for i, (node, counter) in enumerate(backlog):
                bridge.send_frame(node, node.frame(counter, time.time()))
                if i % 8 == 0:
                    deliver_acks(bridge, nodes)
                if i == kill_at:
                    if rng.random() < 0.5:
                        deliver_acks(bridge, nodes)  # sometimes right after an ack went out
                    gw.kill9()
                    kills += 1
                    deliver_acks(bridge, nodes)  # acks written before the kill still arrive
                    gw.start()
            # Nodes resend whatever is still unacked until everything is (the firmware's loop).
            for _attempt in range(100):
                deliver_acks(bridge, nodes)
                if not any(n.pending for n in nodes):
                    break
                time.sleep(0.2)
                deliver_acks(bridge, nodes)
                for node in nodes:
                    for counter in sorted(node.pending):
                        bridge.send_frame(node, node.frame(counter, time.time()))
            assert not any(n.pending for n in nodes), "readings never acknowledged"
        assert kills == 5
        expected = {n.node_id: sorted(n.acked) for n in nodes}
        assert all(expected[n.node_id] == list(range(1, n.next_counter)) for n in nodes)
        wait_for(
            lambda: stored_counters(server.tsdb_url, list(expected)) == expected,
            60.0,
            "every frame on the server",
        )
    finally:
        gw.stop()
    assert stored_counters(server.tsdb_url, list(expected)) == expected  # exactly once, all of them
