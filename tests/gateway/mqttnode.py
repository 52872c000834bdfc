"""A simulated Wi-Fi node for end-to-end tests through the real broker and gateway.

Its radio is a real MQTT session (paho, the node's own credentials and topics); its update path is
the node's own code: ``firmware/node/updater.py`` and ``fwboot.py`` and ``firmware/lib`` imported
flat, as on the ESP32, over a node file system in a temporary directory. One ``wake()`` does what
``app.Node.deliver`` does after sampling: send the frame, collect acks and the retained config and
firmware offer, apply a newer signed config (``nodeconfig.accept``), then let the updater work and
report. ``boot()`` is what ``main.py`` does: ``fwboot.boot`` picks the slot and counts the boot, and
the slot's ``app.py`` is executed (a bundle whose ``app.py`` raises is a crashing version).
"""

from __future__ import annotations

import runpy
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from firmware.lib import framecodec as fc
from firmware.lib import nodeconfig
from firmware.lib.linkproto import parse_ack
from firmware.lib.topics import ack_topic, config_topic, fw_offer_topic, mqtt_username, status_topic, up_topic
from gateway.mosquitto import node_mqtt_password

ROOT = Path(__file__).resolve().parents[2]
for _p in (ROOT / "firmware" / "node", ROOT / "firmware" / "lib"):
    if str(_p) not in sys.path:
        sys.path.append(str(_p))  # after the project: only the node's flat module names resolve here

import fwboot  # noqa: E402
import updater  # noqa: E402


def _ticks() -> types.SimpleNamespace:
    """MicroPython's ``time.ticks_*`` on CPython, for the updater's wake deadline."""
    return types.SimpleNamespace(
        ticks_ms=lambda: int(time.monotonic() * 1000),
        ticks_diff=lambda a, b: a - b,
        ticks_add=lambda a, b: a + b,
    )


updater.time = _ticks()


class PahoLink:
    """The node's ``link_wifi.WifiMqtt`` surface over paho: acks, retained config and offer, chunks."""

    def __init__(self, port: int, farm: str, node_id: int, key: bytes) -> None:
        self.up = up_topic(farm, node_id)
        self.farm = farm
        self.node_id = node_id
        self.acks: list[int] = []
        self.config_blob: bytes | None = None
        self.fw_offer: bytes | None = None
        self.cut_after: int | None = None  # the radio drops after this many chunks (None: never)
        self.fetched = 0
        self._chunks: dict[str, bytes] = {}
        self._got = threading.Condition()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=mqtt_username(node_id))
        self.client.username_pw_set(mqtt_username(node_id), node_mqtt_password(key))
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        for topic in (ack_topic(self.up), config_topic(farm, node_id), fw_offer_topic(farm, node_id)):
            self.client.subscribe(topic, qos=1)

    def _on_message(self, _c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        with self._got:
            if msg.topic == ack_topic(self.up):
                c = parse_ack(msg.payload)
                if c is not None:
                    self.acks.append(c)
            elif msg.topic == config_topic(self.farm, self.node_id):
                self.config_blob = bytes(msg.payload)
            elif msg.topic == fw_offer_topic(self.farm, self.node_id):
                self.fw_offer = bytes(msg.payload)
            else:
                self._chunks[msg.topic] = bytes(msg.payload)
            self._got.notify_all()

    def wait(self, predicate: Any, timeout_s: float) -> bool:
        with self._got:
            return self._got.wait_for(predicate, timeout_s)

    def send(self, frame: bytes) -> None:
        self.client.publish(self.up, frame, qos=1).wait_for_publish(5)

    def fetch(self, topic: str, wait_ms: int) -> bytes | None:
        if self.cut_after is not None and self.fetched >= self.cut_after:
            return None  # out of range: the chunk never comes
        self.client.subscribe(topic, qos=0)
        if not self.wait(lambda: topic in self._chunks, wait_ms / 1000):
            return None
        self.fetched += 1
        return self._chunks.pop(topic)

    def publish_status(self, payload: bytes) -> None:
        topic = status_topic(self.farm, self.node_id)
        self.client.publish(topic, payload, qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


class MqttNode:
    def __init__(self, root: Path, port: int, farm: str, node_id: int, key: bytes, fw_key: bytes) -> None:
        self.root, self.port, self.farm, self.node_id, self.key = root, port, farm, node_id, key
        root.mkdir(parents=True, exist_ok=True)
        self.counter = 0
        self.battery_v = 3.95
        self.config_version = 1
        self.config_ack = False
        self.fw_chunks = 8
        self.cut_after: int | None = None
        self.updater = updater.Updater(key, fw_key, "esp32", farm, str(root))
        self.crashes = 0

    def boot(self) -> bool:
        """main.py: pick the slot, count the boot; False when the running version crashed."""
        st = fwboot.boot(str(self.root))
        if st["slot"]:
            try:
                runpy.run_path(str(self.root / st["slot"] / "app.py"))
            except Exception:
                self.crashes += 1
                return False
        return True

    def frame(self) -> bytes:
        self.counter += 1
        readings = [(fc.CHANNEL_IDS["battery"], self.battery_v, fc.STATUS_OK)]
        flags = 0
        if self.config_ack:
            readings.append((fc.CHANNEL_IDS["config_version"], self.config_version, fc.STATUS_OK))
            flags |= fc.FLAG_CONFIG_ACK
            self.config_ack = False
        return fc.encode(self.key, self.node_id, self.counter, 0, sorted(readings), flags)

    def wake(self) -> dict[str, Any]:
        """One boot and send cycle; returns the fwboot state after it."""
        if not self.boot():
            return fwboot.load(str(self.root))  # crashed before sending: sleep, boot again
        link = PahoLink(self.port, self.farm, self.node_id, self.key)
        link.cut_after = self.cut_after
        try:
            counter = self.counter + 1
            link.send(self.frame())
            acked = link.wait(lambda: counter in link.acks, 10)
            time.sleep(0.2)  # retained messages arrive right after subscribing
            if link.config_blob:
                try:
                    body = nodeconfig.accept(self.key, link.config_blob, self.node_id, self.config_version)
                except nodeconfig.ConfigError:
                    body = None
                if body is not None:
                    (self.root / "config.json").write_bytes(link.config_blob)
                    self.config_version, self.config_ack = body["version"], True
            deadline = int(time.monotonic() * 1000) + 20000
            low = self.battery_v < 3.5  # nodeconfig DEFAULTS low_batt_v
            self.updater.after_send(link, acked, self.battery_v, low, self.fw_chunks, deadline)
        finally:
            link.close()
        self.updater.finish()
        return fwboot.load(str(self.root))

    def downloaded(self) -> int:
        p = self.root / "fw" / "dl.bin"
        return p.stat().st_size if p.exists() else 0

    def status_file(self) -> dict[str, Any]:
        """fwboot's state on the node's flash (its defaults before any update)."""
        return fwboot.load(str(self.root))
