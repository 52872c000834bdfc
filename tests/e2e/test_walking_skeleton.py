"""End to end over the real pieces: node frame -> Mosquitto -> gateway -> server -> InfluxDB -> API."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
import requests

from demo.seed import SeededNode, seed
from firmware.lib import framecodec as fc
from firmware.lib.topics import mqtt_username, up_topic
from gateway.mosquitto import node_mqtt_password
from gateway.mqtt import MqttIntake
from gateway.service import Gateway, GatewayConfig
from server.db import Database
from server.timeseries.influx import InfluxStore
from tests.services import Service, free_port, start_mosquitto


def wait_for(predicate: object, timeout_s: float = 20.0, what: str = "condition") -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def server(data_dir: Path, influx_url: str) -> Iterator[tuple[str, str, tuple[SeededNode, ...]]]:
    db = Database(f"sqlite:///{data_dir / 'registry.sqlite'}")
    db.upgrade()
    seeded = seed(db)
    db.engine.dispose()
    port = free_port()
    env = os.environ | {"RUONGSO_DATA_DIR": str(data_dir), "RUONGSO_TSDB_URL": influx_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "server", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(url + "/api/v1/openapi.json", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_for(up, what="server")
        yield url, seeded.gateway_token, seeded.nodes
    finally:
        proc.terminate()
        proc.wait(10)


class SimNodeClient:
    """A node on MQTT: publishes its frame at QoS 1 and waits for the gateway's ack."""

    def __init__(self, port: int, node: SeededNode) -> None:
        self.acks: list[int] = []
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=mqtt_username(node.node_id))
        self.client.username_pw_set(mqtt_username(node.node_id), node_mqtt_password(node.key))
        self.client.on_message = lambda _c, _u, m: self.acks.append(int(m.payload))
        self.topic = up_topic(node.farm_id, node.node_id)
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(self.topic[:-2] + "cmd/ack", qos=1)
        self.client.loop_start()

    def publish(self, payload: bytes, topic: str | None = None) -> None:
        self.client.publish(topic or self.topic, payload, qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@pytest.mark.services
def test_frame_reaches_influx_and_api_once(
    server: tuple[str, str, tuple[SeededNode, ...]], influx_url: str, tmp_path: Path
) -> None:
    url, token, nodes = server
    node, other = nodes[1], nodes[2]  # node 4098 is a weather node
    broker: Service = start_mosquitto(
        tmp_path / "mosq", {n.node_id: n.key for n in nodes}, gateway_password="gw-secret"
    )
    gw = Gateway(GatewayConfig(tmp_path / "gw", url, token))
    intake = MqttIntake(gw.processor, "127.0.0.1", broker.port, "gateway", "gw-secret")
    gw.start([intake.run])
    sim = SimNodeClient(broker.port, node)
    try:
        wait_for(intake.connected.is_set, what="gateway MQTT connection")
        ch = fc.CHANNEL_IDS
        readings = [
            (ch["soil_vwc"], 0.3125, fc.STATUS_OK),
            (ch["air_temp"], 31.25, fc.STATUS_OK),
            (ch["air_rh"], None, fc.STATUS_CRC),
        ]
        frame = fc.encode(node.key, node.node_id, 1, 30, readings)
        sent_at = time.time()
        sim.publish(frame)
        wait_for(lambda: sim.acks == [1], what="ack for counter 1")

        store = InfluxStore.from_url(influx_url)
        wait_for(lambda: node.node_id in store.latest([node.node_id]), what="point in InfluxDB")
        record = store.latest([node.node_id])[node.node_id]
        assert record.values == {"soil_vwc": 0.3125, "air_temp": 31.25}
        assert record.statuses == {"air_rh": fc.STATUS_CRC}
        assert abs(record.time_s - (sent_at - 30)) <= 2  # rebuilt from receive time and sample age

        web = requests.Session()  # the read API is scoped: sign in as the demo cooperative's admin
        login = {"phone": "0912000099", "password": "demo-quantri"}
        assert web.post(url + "/api/v1/auth/login", json=login, timeout=10).status_code == 200
        overview = web.get(url + "/api/v1/overview", timeout=5).json()
        views = [
            n for f in overview["farms"] for fl in f["fields"] for n in fl["nodes"] if n["id"] == node.node_id
        ]
        assert views[0]["values"] == {"soil_vwc": 0.3125, "air_temp": 31.25}
        assert views[0]["faults"] == {"air_rh": "crc_error"}

        # The replayed copy is acked (the node may have missed our ack) but never stored twice.
        sim.publish(frame)
        wait_for(lambda: sim.acks == [1, 1], what="re-ack of the replay")
        tampered = bytearray(fc.encode(node.key, node.node_id, 2, 0, readings))
        tampered[14] ^= 0x01
        sim.publish(bytes(tampered))
        other_frame = fc.encode(other.key, other.node_id, 1, 0, readings)
        sim.publish(other_frame, topic=up_topic(other.farm_id, other.node_id))  # ACL: not its topic
        wait_for(lambda: gw.processor.state(node.node_id)["forged"] == 1, what="forgery counted")
        time.sleep(0.5)
        state = gw.processor.state(node.node_id)
        assert (state["accepted"], state["duplicates"]) == (1, 1)
        assert other.node_id not in gw.processor.nodes()  # the broker never delivered it
        series = store.series(node.node_id, "soil_vwc", int(sent_at) - 3600, int(sent_at) + 60)
        assert [p.value for p in series] == [0.3125]
        api = web.get(f"{url}/api/v1/nodes/{node.node_id}/series?channel=soil_vwc&hours=2", timeout=5).json()
        assert [p["v"] for p in api["points"]] == [0.3125]
        assert gw.outbox.depth() == 0
    finally:
        sim.close()
        gw.shutdown()
        broker.stop()
