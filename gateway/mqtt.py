"""MQTT intake: node frames from the local Mosquitto, acks back to each node after durability."""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt

from firmware.lib.topics import UP_SUBSCRIPTION, ack_topic, node_from_up_topic
from gateway.intake import FrameProcessor, RawFrame, Result

log = logging.getLogger("gateway.mqtt")
MAX_FRAME_BYTES = 256  # anything larger is not a frame; refuse before queueing


class MqttIntake:
    def __init__(self, processor: FrameProcessor, host: str, port: int, username: str, password: str) -> None:
        self.processor = processor
        self._queue: queue.Queue[tuple[str, RawFrame]] = queue.Queue()
        self.oversized = 0
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"gateway-{username}", clean_session=False
        )
        self.client.username_pw_set(username, password)
        self.client.max_inflight_messages_set(100)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.host, self.port = host, port
        self.connected = threading.Event()

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.error("MQTT connect refused: %s", reason)
            return
        client.subscribe(UP_SUBSCRIPTION, qos=1)
        self.connected.set()

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        if len(msg.payload) > MAX_FRAME_BYTES:
            self.oversized += 1
            return
        claimed = node_from_up_topic(msg.topic)
        self._queue.put((msg.topic, RawFrame(bytes(msg.payload), time.time(), claimed)))

    def run(self, stop: threading.Event) -> None:
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()
        try:
            while not stop.is_set():
                self.drain(timeout=0.2)
        finally:
            self.client.loop_stop()
            self.client.disconnect()

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
        results = self.processor.process([raw for _topic, raw in batch])
        newest: dict[tuple[str, int], int] = {}
        for (topic, _raw), result in zip(batch, results, strict=True):
            if result.ack and result.node_id is not None and result.counter is not None:
                key = (topic, result.node_id)
                newest[key] = max(newest.get(key, 0), result.counter)
        for (topic, _node), counter in newest.items():
            self.client.publish(ack_topic(topic), str(counter), qos=1)
        return results
