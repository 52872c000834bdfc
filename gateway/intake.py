"""Frame intake: verify the MIC, check the counter window, decode, flag, and make durable.

Transport-free: MQTT and the serial bridge both hand raw frames to ``FrameProcessor``, and ack
each node only for the results it returns as durable.
"""

from __future__ import annotations

import enum
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from firmware.lib import framecodec as fc
from gateway.checks import StuckTracker, quality_flags
from gateway.keys import NodeKeys
from gateway.outbox import Outbox, encode_body
from server.timeseries.base import QUALITY_SENSOR_FAULT

log = logging.getLogger("gateway.intake")


class Verdict(enum.Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # a counter already stored: the node missed our ack, so ack again
    FORGED = "forged"  # MIC does not verify, or sent on another node's topic
    MALFORMED = "malformed"
    UNKNOWN_NODE = "unknown_node"
    NOT_DURABLE = "not_durable"  # storage failed (disk full...): no ack, the node keeps it


@dataclass(frozen=True)
class Result:
    verdict: Verdict
    node_id: int | None = None
    counter: int | None = None

    @property
    def ack(self) -> bool:
        return self.verdict in (Verdict.ACCEPTED, Verdict.DUPLICATE)


@dataclass(frozen=True)
class RawFrame:
    data: bytes
    received_at: float
    claimed_node: int | None = None  # node id implied by the transport (MQTT topic), if any
    rssi: int | None = None


COUNTERS = ("accepted", "duplicates", "forged", "malformed", "gaps")


class FrameProcessor:
    def __init__(self, outbox: Outbox, keys: NodeKeys) -> None:
        self.outbox = outbox
        self.keys = keys
        self.unknown_node_frames = 0
        self._reload()

    def _reload(self) -> None:
        self._last: dict[int, int | None] = {}
        self._state: dict[int, dict[str, Any]] = {}
        for node_id, (last, state) in self.outbox.load_states().items():
            self._last[node_id] = last
            self._state[node_id] = state

    def nodes(self) -> list[int]:
        return sorted(self._state)

    def state(self, node_id: int) -> dict[str, Any]:
        return self._state.setdefault(node_id, {k: 0 for k in COUNTERS} | {"stuck": {}})

    def process(self, frames: Sequence[RawFrame]) -> list[Result]:
        results: list[Result] = []
        rows: list[tuple[int, int, int, int, int, str]] = []
        touched: set[int] = set()
        for raw in frames:
            result, row = self._check(raw)
            results.append(result)
            if result.node_id is not None and result.verdict != Verdict.UNKNOWN_NODE:
                touched.add(result.node_id)
            if row is not None:
                rows.append(row)
        if not touched:
            return results
        try:
            self.outbox.commit_batch(rows, [(n, self._last.get(n), self._state[n]) for n in touched])
        except sqlite3.Error as exc:
            log.error("outbox commit failed, %d frames not acknowledged: %s", len(rows), exc)
            self._reload()
            return [Result(Verdict.NOT_DURABLE, r.node_id, r.counter) if r.ack else r for r in results]
        return results

    def _check(self, raw: RawFrame) -> tuple[Result, tuple[int, int, int, int, int, str] | None]:
        data = raw.data
        try:
            node_id = fc.peek_node(data)
        except fc.FrameError:
            return Result(Verdict.MALFORMED), None
        info = self.keys.get(node_id)
        if info is None:
            self.unknown_node_frames += 1
            return Result(Verdict.UNKNOWN_NODE, node_id), None
        state = self.state(node_id)
        if not fc.verify(info.key, data) or (raw.claimed_node is not None and raw.claimed_node != node_id):
            state["forged"] += 1
            return Result(Verdict.FORGED, node_id), None
        try:
            _version, flags, _node, counter, age_s, readings = fc.decode(data)
        except fc.FrameError:
            state["malformed"] += 1
            return Result(Verdict.MALFORMED, node_id), None
        last = self._last.get(node_id)
        if last is not None and counter <= last:
            state["duplicates"] += 1
            return Result(Verdict.DUPLICATE, node_id, counter), None
        if last is not None:
            state["gaps"] += counter - last - 1
        self._last[node_id] = counter
        received = int(raw.received_at)
        sampled = received - age_s
        values: dict[str, float] = {}
        statuses: dict[str, int] = {}
        for cid, value, status in readings:
            name = fc.CHANNELS[cid][0]
            if status == fc.STATUS_OK and value is not None:
                values[name] = value
            else:
                statuses[name] = status
        trackers = {ch: StuckTracker(*v) for ch, v in state["stuck"].items()}
        quality = quality_flags(values, trackers)
        quality.update({ch: QUALITY_SENSOR_FAULT for ch in statuses})
        state["stuck"] = {ch: [t.last, t.repeats] for ch, t in trackers.items()}
        state["accepted"] += 1
        state["last_seen"] = received
        state["last_counter_time"] = sampled
        if "battery" in values:
            state["battery"] = values["battery"]
        if raw.rssi is not None:
            state["rssi"] = raw.rssi
        state["faults"] = sorted(statuses)
        row = (node_id, counter, sampled, received, flags, encode_body(values, statuses, quality))
        return Result(Verdict.ACCEPTED, node_id, counter), row
