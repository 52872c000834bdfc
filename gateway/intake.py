"""Frame intake: bound the size, decode, verify the MIC, check the counter window, flag, make durable.

Transport-free: MQTT and the serial bridge both hand raw frames to ``FrameProcessor``, and ack
each node only for the results it returns as durable (``Result.ack``).

Counter window: per node, the highest stored counter plus a bitmap of which of the
``WINDOW`` counters below it are stored (the IPsec anti-replay window, RFC 4303 §3.4.3). A plain
"highest counter" rule would lose data on a radio link: if frame 5 is lost in the air and 6
arrives, the node resends 5 later and it would be taken for a replay, acked and dropped. With the
bitmap, 5 is stored, a second copy of 5 is a duplicate, and only counters more than ``WINDOW``
behind are refused as too old: acked, never stored (the node resends oldest first, so a real backlog
never is).

Acks: each durable frame is acked on its own and the node deletes exactly the acked counters
(``firmware.lib.linkproto``), so a frame refused as not durable (outbox or disk full) stays on
the node even when a later frame of the same node was stored.

Per-node state has two parts with different durability. The counter window moves in the same
transaction as the frames, so it is exact across any crash. The health
statistics (counts, battery history, stuck-sensor trackers) are flushed with a commit every few
seconds: after a ``kill -9`` they may miss the last seconds, which costs nothing but a count.
"""

from __future__ import annotations

import enum
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from common.quality import QUALITY_SENSOR_FAULT
from firmware.lib import framecodec as fc
from gateway.checks import StuckTracker, quality_flags
from gateway.keys import NodeKeys
from gateway.outbox import FrameRow, Outbox

log = logging.getLogger("gateway.intake")

STATE_FLUSH_S = 5.0
WINDOW = 1024  # counters remembered below the highest; stored as a 128-byte bitmap
_WINDOW_MASK = (1 << WINDOW) - 1
_WINDOW_BYTES = WINDOW // 8
_NAMES = {cid: spec[0] for cid, spec in fc.CHANNELS.items()}
BATTERY_HISTORY = 48  # samples kept for the trend, at least BATTERY_SPACING_S apart
BATTERY_SPACING_S = 3600


class Verdict(enum.Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # a counter already stored: the node missed our ack, so ack again
    FORGED = "forged"  # MIC does not verify, or sent on another node's topic
    MALFORMED = "malformed"  # truncated or structurally broken
    OVERSIZED = "oversized"  # longer than any valid frame
    UNKNOWN_NODE = "unknown_node"
    NOT_DURABLE = "not_durable"  # storage failed (disk or outbox full...): no ack, the node keeps it


class Result(NamedTuple):  # a NamedTuple: one is built per frame on the hot path
    verdict: Verdict
    node_id: int | None = None
    counter: int | None = None

    @property
    def stored(self) -> bool:
        """The frame is durable (now or before)."""
        return self.verdict in (Verdict.ACCEPTED, Verdict.DUPLICATE)

    @property
    def ack(self) -> bool:
        return self.verdict in (Verdict.ACCEPTED, Verdict.DUPLICATE)


class RawFrame(NamedTuple):
    data: bytes
    received_at: float
    claimed_node: int | None = None  # node id implied by the transport (MQTT topic), if any
    rssi: int | None = None  # from the transport (ESP-NOW bridge), when it knows


class Observation(NamedTuple):
    """One accepted, durable reading, handed to local consumers (the rule engine)."""

    node_id: int
    field_id: int | None
    sampled_at: int
    values: dict[str, float]
    flagged: frozenset[str] = frozenset()  # channels with any quality flag: not to act upon


COUNTERS = ("accepted", "duplicates", "forged", "malformed", "oversized", "gaps", "not_durable")


def new_state() -> dict[str, Any]:
    return {k: 0 for k in COUNTERS} | {"stuck": {}}


class FrameProcessor:
    def __init__(
        self,
        outbox: Outbox,
        keys: NodeKeys,
        on_accepted: Callable[[list[Observation]], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.outbox = outbox
        self.keys = keys
        self.on_accepted = on_accepted
        self.unknown_node_frames = 0
        self.malformed_frames = 0  # too short to name a node
        self.oversized_frames = 0
        self.not_durable_batches = 0
        self._clock = clock
        self.lock = threading.RLock()  # MQTT and serial intake threads share one processor
        self._last_flush = clock()
        self._dirty: set[int] = set()
        self._last: dict[int, int | None] = {}
        self._window: dict[int, int] = {}
        self._state: dict[int, dict[str, Any]] = {}
        self._trackers: dict[int, dict[str, StuckTracker]] = {}
        # Health inputs of each node's newest frame in the current batch; the derived health
        # fields are updated once per node per batch after the commit, not once per frame.
        self._latest: dict[int, tuple[Any, ...]] = {}
        for node_id, (_last, state) in self.outbox.load_states().items():
            self._state[node_id] = new_state() | state
            self._trackers[node_id] = {ch: StuckTracker(*v) for ch, v in state.get("stuck", {}).items()}
        self._load_windows()

    @staticmethod
    def _refuse(results: list[Result]) -> list[Result]:
        """The batch did not commit: nothing it judged against its own frames may be acked.

        New frames are not durable. A duplicate of a node that also had a new frame in this batch
        may have been judged against that frame (the same counter twice in one batch, or a counter
        pushed "too old" by it), so it is not acked either; the node resends it and it is judged
        again. Only duplicates of nodes with no new frame here were durable before the batch."""
        touched = {r.node_id for r in results if r.verdict is Verdict.ACCEPTED}
        return [
            Result(Verdict.NOT_DURABLE, r.node_id, r.counter)
            if r.verdict is Verdict.ACCEPTED or (r.verdict is Verdict.DUPLICATE and r.node_id in touched)
            else r
            for r in results
        ]

    def _load_windows(self) -> None:
        # Start from nothing: a node first seen in a batch that failed to commit must not keep
        # an in-memory window, or its resent frames would be taken for duplicates and lost.
        self._last.clear()
        self._window.clear()
        for node_id, (last, window) in self.outbox.load_counters().items():
            self._last[node_id] = last
            if last is None:
                self._window.pop(node_id, None)
            else:  # a database from before the bitmap: treat everything up to ``last`` as stored
                self._window[node_id] = int.from_bytes(window, "big") if window else _WINDOW_MASK

    def nodes(self) -> list[int]:
        return sorted(self._state)

    def state(self, node_id: int) -> dict[str, Any]:
        st = self._state.get(node_id)
        if st is None:
            st = self._state[node_id] = new_state()
            self._trackers[node_id] = {}
        return st

    def last_counter(self, node_id: int) -> int | None:
        return self._last.get(node_id)

    def process(self, frames: Sequence[RawFrame]) -> list[Result]:
        with self.lock:
            return self._process(frames)

    def config_version(self, node_id: int) -> int | None:
        """The config version the node last acknowledged (channel ``config_version``), if any."""
        with self.lock:
            v = self._state.get(node_id, {}).get("config_version")
        return None if v is None else int(v)

    def snapshot(self) -> dict[int, dict[str, Any]]:
        """A consistent copy of every node's state, for health reports from other threads."""
        with self.lock:
            return {n: json.loads(json.dumps(st)) for n, st in self._state.items()}

    def _process(self, frames: Sequence[RawFrame]) -> list[Result]:
        results: list[Result] = []
        rows: list[FrameRow] = []
        observations: list[Observation] = []
        moved: set[int] = set()
        for raw in frames:
            result = self._check(raw, rows, observations)
            results.append(result)
            if result.verdict is Verdict.ACCEPTED and result.node_id is not None:
                moved.add(result.node_id)
        flush = self._clock() - self._last_flush >= STATE_FLUSH_S
        if not rows and not flush:
            return results
        states = self._snapshot_states() if flush else []
        try:
            counters = [
                (n, self._last[n] or 0, self._window[n].to_bytes(_WINDOW_BYTES, "big")) for n in moved
            ]
            self.outbox.commit_batch(rows, counters, states)
        except sqlite3.Error as exc:
            self._latest.clear()
            self._undo(rows, exc)
            return self._refuse(results)
        for node_id, latest in self._latest.items():
            self._update_health(self._state[node_id], *latest)
        self._latest.clear()
        if flush:
            self._dirty.clear()
            self._last_flush = self._clock()
        if observations and self.on_accepted is not None:
            try:
                self.on_accepted(observations)
            except Exception:  # a consumer's bug must never cost an ack
                log.exception("on_accepted consumer failed")
        return results

    def flush_states(self) -> None:
        """Write the health statistics now (shutdown, status requests)."""
        with self.lock:
            self._flush_states()

    def _flush_states(self) -> None:
        states = self._snapshot_states()
        if states:
            self.outbox.commit_batch([], [], states)
        self._dirty.clear()
        self._last_flush = self._clock()

    def _snapshot_states(self) -> list[tuple[int, dict[str, Any]]]:
        out = []
        for n in self._dirty:
            st = self._state[n]
            st["stuck"] = {ch: [t.last, t.repeats] for ch, t in self._trackers[n].items()}
            out.append((n, st))
        return out

    def _undo(self, rows: list[FrameRow], exc: sqlite3.Error) -> None:
        """The batch is not durable: restore the exact counter window and fix the counts."""
        log.error(
            "event=outbox_commit_failed frames=%d error=%r: frames not acknowledged", len(rows), str(exc)
        )
        self.not_durable_batches += 1
        self._load_windows()
        for row in rows:
            st = self._state[row[0]]
            st["accepted"] -= 1
            st["not_durable"] += 1

    def _check(self, raw: RawFrame, rows: list[FrameRow], observations: list[Observation]) -> Result:
        data = raw.data
        n = len(data)
        if n < fc.MIN_FRAME_LEN:
            self.malformed_frames += 1
            return Result(Verdict.MALFORMED)
        node_id = int.from_bytes(data[1:5], "big")
        info = self.keys.get(node_id)
        if info is None:
            self.unknown_node_frames += 1
            return Result(Verdict.UNKNOWN_NODE, node_id)
        state = self._state.get(node_id) or self.state(node_id)
        self._dirty.add(node_id)
        if n > fc.MAX_FRAME_LEN:
            state["oversized"] += 1
            self.oversized_frames += 1
            return Result(Verdict.OVERSIZED, node_id)
        try:
            _version, _flags, _node, counter, age_s, readings = fc.decode(data)
        except fc.FrameError:
            state["malformed"] += 1  # truncated or damaged; its MIC could not match anyway
            return Result(Verdict.MALFORMED, node_id)
        if not info.verifier.verify(data) or (raw.claimed_node is not None and raw.claimed_node != node_id):
            state["forged"] += 1
            return Result(Verdict.FORGED, node_id)
        last = self._last.get(node_id)
        if last is None:
            self._last[node_id], self._window[node_id] = counter, 1
        elif counter > last:
            state["gaps"] += counter - last - 1
            self._window[node_id] = ((self._window[node_id] << (counter - last)) | 1) & _WINDOW_MASK
            self._last[node_id] = counter
        else:
            behind = last - counter
            window = self._window[node_id]
            if behind >= WINDOW or (window >> behind) & 1:
                state["duplicates"] += 1  # stored before (or too old to tell): ack, never store
                return Result(Verdict.DUPLICATE, node_id, counter)
            self._window[node_id] = window | (1 << behind)  # a late frame fills its gap
            state["gaps"] = max(0, state["gaps"] - 1)
        values: dict[str, float] = {}
        statuses: dict[str, int] = {}
        for cid, value, status in readings:
            if status:
                statuses[_NAMES[cid]] = status
            else:
                values[_NAMES[cid]] = value
        received = int(raw.received_at)
        sampled = received - age_s
        quality = quality_flags(values, self._trackers[node_id])
        for ch in statuses:
            quality[ch] = QUALITY_SENSOR_FAULT
        state["accepted"] += 1
        seen = self._latest.get(node_id)
        self._latest[node_id] = (
            raw.rssi,
            received,
            sampled,
            values,
            statuses,
            quality,
            seen[6] + 1 if seen else 1,
        )
        rows.append(
            (
                node_id,
                counter,
                sampled,
                received,
                data,
                json.dumps(quality, separators=(",", ":")) if quality else None,
            )
        )
        if self.on_accepted is not None:
            observations.append(Observation(node_id, info.field_id, sampled, values, frozenset(quality)))
        return Result(Verdict.ACCEPTED, node_id, counter)

    @staticmethod
    def _update_health(
        state: dict[str, Any],
        rssi_transport: int | None,
        received: int,
        sampled: int,
        values: dict[str, float],
        statuses: dict[str, int],
        quality: dict[str, int],
        frames: int,
    ) -> None:
        previous = state.get("last_sampled")
        if previous is not None and 0 < sampled - previous < 86400 * frames:
            gap = (sampled - previous) / frames  # smoothed sampling interval, for "silent too long"
            state["interval_s"] = 0.8 * state.get("interval_s", gap) + 0.2 * gap
        state["last_sampled"] = max(sampled, previous or 0)
        state["last_seen"] = received
        state.setdefault("first_seen", received)
        battery = values.get("battery")
        if battery is not None:
            state["battery"] = battery
            hist = state.setdefault("battery_hist", [])
            if not hist or sampled - hist[-1][0] >= BATTERY_SPACING_S:
                hist.append([sampled, battery])
                del hist[:-BATTERY_HISTORY]
        rssi = values.get("rssi", rssi_transport)
        if rssi is not None:
            state["rssi"] = rssi
        if "snr" in values:
            state["snr"] = values["snr"]
        if "config_version" in values:
            state["config_version"] = int(values["config_version"])
        state["faults"] = sorted(statuses) if statuses else []
        state["flagged"] = (
            sorted(ch for ch, q in quality.items() if q != QUALITY_SENSOR_FAULT) if quality else []
        )
