"""Configs and firmware reach sleeping nodes, end to end: the real server (registry, rollouts), the
real gateway (downlink, MQTT intake, health push), the real Mosquitto with the nodes' ACLs, and
simulated Wi-Fi nodes running the node's own update code (``tests/gateway/mqttnode.py``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from sqlalchemy import select

from firmware.lib import fwbundle
from firmware.lib.topics import fw_chunk_topic
from firmware.tools.bundle import app_files
from gateway.mqtt import MqttIntake
from gateway.service import Gateway, GatewayConfig
from server.db import Database
from server.registry.models import Node
from server.technician import configs, firmware
from server.technician.models import FirmwareBundle, FirmwareRollout
from tests.gateway.bridgesim import wait_for
from tests.gateway.conftest import ServerHandle
from tests.gateway.mqttnode import MqttNode
from tests.services import Service, start_mosquitto

pytestmark = pytest.mark.services
FW_KEY = bytes(range(100, 132))  # the cooperative's firmware key
SIM_APP = b"# the simulated node's application: boots cleanly\n"
BROKEN_APP = b"raise RuntimeError('broken build')\n"


@dataclass
class Rig:
    server: ServerHandle
    broker: Service
    gw: Gateway
    intake: MqttIntake
    db: Database
    tmp: Path

    def node(self, i: int) -> MqttNode:
        n = self.server.nodes[i]
        root = self.tmp / f"node{n.node_id}"
        return MqttNode(root, self.broker.port, str(n.farm_id), n.node_id, n.key, FW_KEY)

    def sync(self) -> None:
        """The gateway's periodic jobs, now: push its fleet view, fetch what to deliver, publish it."""
        assert self.gw.push_health()
        assert self.gw.refresh_downlink()
        wait_for(lambda: not self.gw.downlink.changed.is_set(), what="retained messages published")

    def rollout(self, rollout_id: int) -> FirmwareRollout:
        with self.db.session() as s:
            row = s.get(FirmwareRollout, rollout_id)
            assert row is not None
            s.expunge(row)
            return row

    def publish_as_gateway(self, topic: str, payload: bytes) -> None:
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-gateway-tool")
        c.username_pw_set("gateway", "gw-pass")
        c.connect("127.0.0.1", self.broker.port)
        c.loop_start()
        c.publish(topic, payload, qos=1, retain=True).wait_for_publish(5)
        c.loop_stop()
        c.disconnect()


@pytest.fixture(scope="module")
def rig(server: ServerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    tmp = tmp_path_factory.mktemp("downlink")
    keys = {n.node_id: n.key for n in server.nodes}
    broker = start_mosquitto(tmp / "mosq", keys, gateway_password="gw-pass")
    gw = Gateway(GatewayConfig(tmp / "gw", server.url, server.token, health_push_s=0))
    assert gw.refresh_keys()
    intake = MqttIntake(gw.processor, "127.0.0.1", broker.port, "gateway", "gw-pass", gw.downlink)
    stop = threading.Event()
    threads = [threading.Thread(target=t, args=(stop,), daemon=True) for t in (intake.run, gw.forwarder.run)]
    for t in threads:
        t.start()
    db = Database(f"sqlite:///{server.data_dir / 'registry.sqlite'}")
    try:
        wait_for(intake.connected.is_set, what="gateway connected")
        yield Rig(server, broker, gw, intake, db, tmp)
    finally:
        stop.set()
        gw.forwarder.wake.set()
        for t in threads:
            t.join(5)
        gw.shutdown()
        broker.stop()
        db.engine.dispose()


def upload(rig: Rig, version: int, app: bytes, key: bytes = FW_KEY, min_batt_v: float = 3.7) -> int:
    files = [(name, src.read_bytes()) for src, name in app_files() if name != "app.py"] + [("app.py", app)]
    manifest, payload = fwbundle.make(key, files, version, "esp32", min_batt_v)
    with rig.db.session() as s:
        return firmware.add_bundle(s, fwbundle.to_file(manifest, payload), None).id


def start(rig: Rig, bundle_id: int, pilot: list[int], rest: list[int]) -> int:
    with rig.db.session() as s:
        bundle = s.get(FirmwareBundle, bundle_id)
        assert bundle is not None
        return firmware.start(s, bundle, pilot, pilot + rest, None).id


def test_a_pushed_config_is_applied_by_the_node_and_acknowledged(rig: Rig) -> None:
    node = rig.node(0)
    node.wake()  # the gateway learns which farm topic the node speaks on
    with rig.db.session() as s:
        row = s.get(Node, node.node_id)
        assert row is not None
        version = configs.push(s, row, {"interval_s": 600}, None).version
    rig.sync()
    node.wake()
    assert node.config_version == version and b'"interval_s": 600' in (node.root / "config.json").read_bytes()
    node.wake()  # its next frame carries config_version with FLAG_CONFIG_ACK
    wait_for(lambda: rig.gw.health()["nodes"][str(node.node_id)]["config_version"] == version, what="ack")
    wait_for(lambda: rig.gw.outbox.depth() == 0, what="frames confirmed by the server")


def test_staged_rollout_resumes_refuses_a_corrupt_chunk_and_waits_for_the_battery(rig: Rig) -> None:
    pilot, rest = rig.node(1), rig.node(2)
    for n in (pilot, rest):
        n.fw_chunks = 16
        n.wake()
    rollout_id = start(rig, upload(rig, 2, SIM_APP), [pilot.node_id], [rest.node_id])
    rig.sync()

    pilot.cut_after = 5  # the radio drops after five chunks
    pilot.wake()
    total = pilot.updater.total
    assert total > 40
    assert pilot.updater.state == "fetch" and pilot.updater.got == 5 and pilot.downloaded() == 5 * 1024
    pilot.cut_after = None
    pilot.wake()  # resumes at chunk 5
    assert pilot.updater.got == 21 and pilot.downloaded() == 21 * 1024
    rest.wake()
    assert rest.updater.total == 0 and rest.downloaded() == 0  # not offered yet: pilot first

    good = fw_chunk_topic(pilot.farm, 2, 21)
    kept = rig.gw.downlink.bundle(2)
    assert kept is not None
    chunk = kept[1][21 * 1024 : 22 * 1024]
    rig.publish_as_gateway(good, bytes([chunk[0] ^ 0xFF]) + chunk[1:])
    pilot.wake()
    assert (pilot.updater.state, pilot.updater.detail, pilot.updater.got) == ("refused", "chunk21", 21)
    rig.publish_as_gateway(good, chunk)

    pilot.battery_v = 3.6  # above the low-battery mark, below the bundle's 3.7 V
    while pilot.updater.got < total:
        pilot.wake()
    pilot.wake()
    assert (pilot.updater.state, pilot.updater.detail) == ("ready", "battery")
    assert pilot.status_file()["running"] == 0
    pilot.battery_v = 3.95
    st = pilot.wake()
    assert st["running"] == 2 and st["trial"] == 1

    st = pilot.wake()  # boots the new slot, sends, is acked: confirmed
    assert st["running"] == 2 and st["trial"] == 0 and pilot.updater.state == "run"
    rig.sync()
    assert rig.rollout(rollout_id).state == "wide"
    assert rig.gw.health()["nodes"][str(pilot.node_id)]["firmware"] == "v2"  # the fleet screen's column

    for _ in range(20):
        st = rest.wake()
        if st["running"] == 2 and not st["trial"]:
            break
    assert rest.updater.state == "run" and rest.status_file()["running"] == 2
    rig.sync()
    assert rig.rollout(rollout_id).state == "done"


def test_a_bad_signature_is_refused_and_stops_the_rollout(rig: Rig) -> None:
    node = rig.node(3)
    node.wake()
    forged = upload(rig, 3, SIM_APP, key=bytes(32))  # not the cooperative's key
    rollout_id = start(rig, forged, [node.node_id], [rig.server.nodes[4].node_id])
    rig.sync()
    node.wake()
    assert (node.updater.state, node.updater.detail) == ("refused", "bad") and node.downloaded() == 0
    rig.sync()
    stopped = rig.rollout(rollout_id)
    assert stopped.state == "stopped" and f"node {node.node_id}" in stopped.reason
    assert rig.server.nodes[4].node_id not in rig.gw.downlink.targets


def test_a_crashing_version_rolls_back_and_stops_the_rollout(rig: Rig) -> None:
    node = rig.node(1)  # runs v2 from the rollout above
    node.fw_chunks = 64
    rollout_id = start(rig, upload(rig, 4, BROKEN_APP), [node.node_id], [])
    rig.sync()
    while node.status_file()["running"] != 4:
        node.wake()
    assert node.status_file()["trial"] == 1
    for _ in range(fwbundle.TRIAL_BOOTS):
        node.wake()  # crashes before its send cycle
    assert node.crashes == fwbundle.TRIAL_BOOTS
    st = node.wake()  # the boot counter is used up: back to v2, which sends and reports
    assert st["running"] == 2 and st["failed"] == [4]
    assert (node.updater.state, node.updater.detail) == ("rolledback", "v4")
    rig.sync()
    assert rig.rollout(rollout_id).state == "stopped"
    report: dict[str, Any] = rig.gw.health()["nodes"][str(node.node_id)]
    assert report["fw_version"] == 2 and report["fw_state"] == "rolledback"
    with rig.db.session() as s:
        reason = s.scalar(select(FirmwareRollout.reason).where(FirmwareRollout.id == rollout_id))
        assert reason is not None and reason.endswith("v4")
