"""MQTT intake: node frames from the local Mosquitto, acks back to each node after durability.

The gateway's session is persistent (``clean_session=False``) and it acknowledges each QoS 1
message to the broker only after the frame's fate is decided and, if accepted, durable
(paho ``manual_ack``). A gateway killed between receiving and committing therefore gets the same
messages again from the broker when it reconnects, instead of waiting for the nodes to resend.
The node itself is acked on ``.../cmd/ack`` once per durable frame, in receive order
(``firmware.lib.linkproto``): it deletes exactly the readings it sees acked.

With a ``Downlink``, the intake also keeps the broker's retained messages for sleeping nodes in step
(configs, firmware offers and chunks: ``gateway.downlink``) and takes the nodes' status messages.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt

from firmware.lib.linkproto import ack_payload
from firmware.lib.topics import (
    STATUS_SUBSCRIPTION,
    UP_SUBSCRIPTION,
    ack_topic,
    node_from_status_topic,
    node_from_up_topic,
)
from gateway.downlink import Downlink
from gateway.intake import FrameProcessor, RawFrame, Result

log = logging.getLogger("gateway.mqtt")
MAX_FRAME_BYTES = 256  # anything larger is not a frame at all; refuse before queueing


@dataclass
class _Message:
    topic: str
    raw: RawFrame
    mid: int
    qos: int


class MqttIntake:
    def __init__(
        self,
        processor: FrameProcessor,
        host: str,
        port: int,
        username: str,
        password: str,
        downlink: Downlink | None = None,
    ) -> None:
        self.processor = processor
        self.downlink = downlink
        self._published: dict[str, bytes] = {}
        self._queue: queue.Queue[_Message] = queue.Queue()
        self.oversized = 0
        self.received = 0
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"gateway-{username}",
            clean_session=False,
            manual_ack=True,
        )
        self.client.username_pw_set(username, password)
        self.client.max_inflight_messages_set(100)
        self.client.reconnect_delay_set(1, 30)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.host, self.port = host, port
        # Set once the broker has granted the subscription, not at CONNACK: a frame published in
        # between has no subscriber yet and the broker would drop it.
        self.connected = threading.Event()

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.error("event=mqtt_refused reason=%r", str(reason))
            return
        client.subscribe([(UP_SUBSCRIPTION, 1), (STATUS_SUBSCRIPTION, 0)])
        log.info("event=mqtt_connected host=%s port=%d", self.host, self.port)

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, _mid: int, reasons: list[Any], _p: Any) -> None:
        if any(reason.is_failure for reason in reasons):
            log.error("event=mqtt_subscribe_refused reasons=%r", [str(r) for r in reasons])
            return
        log.info("event=mqtt_subscribed topic=%s", UP_SUBSCRIPTION)
        if self.downlink is not None:
            self._published = {}  # a restarted broker without persistence lost the retained set
            self.downlink.changed.set()
        self.connected.set()

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        self.connected.clear()
        log.warning("event=mqtt_disconnected reason=%r", str(reason))

    def _on_message(self, client: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        status_node = node_from_status_topic(msg.topic)
        if status_node is not None:
            if self.downlink is not None:
                self.downlink.on_status(status_node, bytes(msg.payload[:MAX_FRAME_BYTES]))
            client.ack(msg.mid, msg.qos)
            return
        self.received += 1
        if len(msg.payload) > MAX_FRAME_BYTES:
            self.oversized += 1
            client.ack(msg.mid, msg.qos)
            return
        claimed = node_from_up_topic(msg.topic)
        if claimed is not None and self.downlink is not None:
            self.downlink.learn_farm(claimed, msg.topic.split("/")[1])
        raw = RawFrame(bytes(msg.payload), time.time(), claimed)
        self._queue.put(_Message(msg.topic, raw, msg.mid, msg.qos))

    def run(self, stop: threading.Event) -> None:
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()
        try:
            while not stop.is_set():
                self.drain(timeout=0.2)
                if self.downlink is not None and self.connected.is_set() and self.downlink.changed.is_set():
                    self.publish_retained()
        finally:
            self.client.loop_stop()
            self.client.disconnect()

    def publish_retained(self) -> int:
        """Bring the broker's retained messages in line with the downlink; returns how many changed."""
        assert self.downlink is not None
        want = self.downlink.retained()
        n = 0
        for topic, payload in want.items():
            if self._published.get(topic) != payload:
                self.client.publish(topic, payload, qos=1, retain=True)
                n += 1
        for topic in set(self._published) - set(want):
            self.client.publish(topic, b"", qos=1, retain=True)  # empty retained = deleted
            n += 1
        self._published = want
        if n:
            log.info("event=retained_published changed=%d", n)
        return n

    def drain(self, timeout: float, max_batch: int = 500) -> list[Result]:
        """Make up to ``max_batch`` queued frames durable in one commit, then ack them."""
        try:
            batch = [self._queue.get(timeout=timeout)]
        except queue.Empty:
            return []
        while len(batch) < max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        results = self.processor.process([m.raw for m in batch])
        for msg, result in zip(batch, results, strict=True):
            if result.ack and result.counter is not None:
                self.client.publish(ack_topic(msg.topic), ack_payload(result.counter), qos=1)
            # Decided: the broker may forget it. A frame that could not be made durable (disk
            # full) is released too: the node got no ack and resends it, while holding it here
            # would fill the broker's in-flight window and stall every node until a reconnect.
            self.client.ack(msg.mid, msg.qos)
        return results
