"""The gateway's durable outbox and per-node state, in one SQLite database (WAL, synchronous=FULL).

A frame is acknowledged to its node only after the transaction that stored it has committed, and
the node's counter window moves in that same transaction, so a crash can never leave an
acknowledged frame unstored or a stored frame's counter reusable.

Each row keeps the node's verified frame bytes as received (38 bytes for a full soil reading)
rather than a decoded copy: it is the smallest faithful record, the forwarder decodes it again
(microseconds) when it uploads, and only the quality flags that need history (a stuck sensor) are
stored beside it. Disk use is bounded with ``PRAGMA max_page_count``: when the bound is reached an
insert fails with SQLITE_FULL, exactly like a full disk, the batch is not acknowledged and the
nodes keep their readings in their own buffers. Acknowledged data is never dropped to make room.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from firmware.lib import framecodec as fc

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY,
    node_id INTEGER NOT NULL, counter INTEGER NOT NULL,
    sampled_at INTEGER NOT NULL, received_at INTEGER NOT NULL,
    raw BLOB NOT NULL,
    quality TEXT,
    UNIQUE (node_id, counter)
);
CREATE TABLE IF NOT EXISTS node_state (
    node_id INTEGER PRIMARY KEY, last_counter INTEGER, state TEXT NOT NULL, window BLOB
);
CREATE TABLE IF NOT EXISTS dead_letter (
    id INTEGER PRIMARY KEY, node_id INTEGER, counter INTEGER, body TEXT, reason TEXT, at INTEGER
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# (node_id, counter, sampled_at, received_at, frame bytes, quality JSON or None)
FrameRow = tuple[int, int, int, int, bytes, str | None]
# (node_id, highest stored counter, replay window bitmap: bit i set = counter highest-i stored)
CounterRow = tuple[int, int, bytes]


class OutboxFull(sqlite3.OperationalError):
    """Raised by ``commit_batch`` when the configured bound is reached (as SQLite does on a full disk)."""


@dataclass(frozen=True)
class StoredFrame:
    seq: int
    node_id: int
    counter: int
    sampled_at: int
    received_at: int
    flags: int
    values: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    quality: dict[str, int] = field(default_factory=dict)

    def to_wire(self) -> dict[str, object]:
        return {
            "node_id": self.node_id,
            "counter": self.counter,
            "sampled_at": self.sampled_at,
            "received_at": self.received_at,
            "flags": self.flags,
            "values": self.values,
            "statuses": self.statuses,
            "quality": self.quality,
        }


@dataclass(frozen=True)
class Usage:
    used_bytes: int
    max_bytes: int | None

    @property
    def fraction(self) -> float | None:
        return None if not self.max_bytes else self.used_bytes / self.max_bytes


def stored_frame(
    seq: int, node_id: int, counter: int, sampled: int, received: int, raw: bytes, q: Any
) -> StoredFrame:
    """Rebuild the upload record from the stored (already verified) frame bytes."""
    _v, flags, _n, _c, _age, readings = fc.decode(raw)
    values: dict[str, float] = {}
    statuses: dict[str, int] = {}
    for cid, value, status in readings:
        name = fc.CHANNELS[cid][0]
        if status == fc.STATUS_OK and value is not None:
            values[name] = value
        else:
            statuses[name] = status
    quality = json.loads(q) if q else {}
    return StoredFrame(seq, node_id, counter, sampled, received, flags, values, statuses, quality)


class Outbox:
    def __init__(self, path: Path | str, max_bytes: int | None = None) -> None:
        self.path = str(path)
        # One connection shared by the intake and forwarder threads; the lock keeps their
        # transactions from interleaving on it (SQLite would refuse a nested BEGIN).
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")  # durable at COMMIT: we ack right after it
        self._conn.executescript(_SCHEMA)
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(node_state)")}
        if "window" not in columns:  # a walking-skeleton database: add the replay window
            self._conn.execute("ALTER TABLE node_state ADD COLUMN window BLOB")
        self.page_size = int(self._conn.execute("PRAGMA page_size").fetchone()[0])
        self.max_bytes = max_bytes
        if max_bytes is not None:
            self.set_max_bytes(max_bytes)

    def set_max_bytes(self, max_bytes: int) -> None:
        """Bound the database file; SQLite never shrinks below the pages already in use."""
        pages = max(16, max_bytes // self.page_size)
        with self._lock:
            self._conn.execute(f"PRAGMA max_page_count={int(pages)}")
        self.max_bytes = pages * self.page_size

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- node state -------------------------------------------------------------------------
    def load_states(self) -> dict[int, tuple[int | None, dict[str, Any]]]:
        with self._lock:
            rows = self._conn.execute("SELECT node_id, last_counter, state FROM node_state").fetchall()
        return {int(n): (c, json.loads(s)) for n, c, s in rows}

    def load_counters(self) -> dict[int, tuple[int | None, bytes | None]]:
        """node -> (highest stored counter, replay window), exactly as last committed."""
        with self._lock:
            rows = self._conn.execute("SELECT node_id, last_counter, window FROM node_state").fetchall()
        return {int(n): (c, w) for n, c, w in rows}

    # -- writing ----------------------------------------------------------------------------
    def commit_batch(
        self,
        frames: Sequence[FrameRow],
        counters: Iterable[CounterRow],
        states: Iterable[tuple[int, dict[str, Any]]] = (),
    ) -> None:
        """Insert accepted frames and move their nodes' counter windows, atomically and durably.

        ``states`` (health counters, stuck-sensor trackers) ride along when given; they are
        statistics, so the caller flushes them every few seconds rather than on every batch.
        """
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "INSERT OR IGNORE INTO outbox (node_id, counter, sampled_at, received_at, raw, quality)"
                    " VALUES (?,?,?,?,?,?)",
                    frames,
                )
                conn.executemany(
                    "INSERT INTO node_state (node_id, last_counter, window, state) VALUES (?,?,?,'{}')"
                    " ON CONFLICT (node_id) DO UPDATE SET last_counter=excluded.last_counter,"
                    " window=excluded.window",
                    counters,
                )
                conn.executemany(
                    "INSERT INTO node_state (node_id, last_counter, state) VALUES (?,NULL,?)"
                    " ON CONFLICT (node_id) DO UPDATE SET state=excluded.state",
                    [(n, json.dumps(s, separators=(",", ":"))) for n, s in states],
                )
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if conn.in_transaction:  # SQLite may already have rolled back (SQLITE_FULL, IOERR)
                    conn.execute("ROLLBACK")
                if "full" in str(exc):
                    raise OutboxFull(str(exc)) from exc
                raise
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    # -- forwarding -------------------------------------------------------------------------
    def oldest(self, limit: int) -> list[StoredFrame]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, node_id, counter, sampled_at, received_at, raw, quality"
                " FROM outbox ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [stored_frame(*row) for row in rows]

    def confirm(self, seqs: Sequence[int]) -> None:
        """Trim frames the server has confirmed (stored or already had)."""
        if not seqs:
            return
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany("DELETE FROM outbox WHERE seq=?", [(s,) for s in seqs])
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def dead_letter(self, frames: Sequence[StoredFrame], reason: str, now: int) -> None:
        """Move frames the server refuses for good out of the queue, keeping them for inspection."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "INSERT INTO dead_letter (node_id, counter, body, reason, at) VALUES (?,?,?,?,?)",
                    [(f.node_id, f.counter, json.dumps(f.to_wire()), reason, now) for f in frames],
                )
                self._conn.executemany("DELETE FROM outbox WHERE seq=?", [(f.seq,) for f in frames])
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def depth(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def oldest_sampled_at(self) -> int | None:
        with self._lock:
            row = self._conn.execute("SELECT sampled_at FROM outbox ORDER BY seq LIMIT 1").fetchone()
        return None if row is None else int(row[0])

    def dead_letters(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM dead_letter").fetchone()[0])

    def usage(self) -> Usage:
        """Pages in use (free pages left by trimming are reused before the file grows)."""
        with self._lock:
            pages = int(self._conn.execute("PRAGMA page_count").fetchone()[0])
            free = int(self._conn.execute("PRAGMA freelist_count").fetchone()[0])
        return Usage((pages - free) * self.page_size, self.max_bytes)

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])
