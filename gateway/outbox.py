"""The gateway's durable outbox and per-node state, in one SQLite database (WAL, synchronous=FULL).

A frame is acknowledged to its node only after the transaction that stored it has committed, and
the node's counter window moves in that same transaction, so a crash can never leave an
acknowledged frame unstored or a stored frame's counter reusable.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS frame (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    node_id INTEGER NOT NULL, counter INTEGER NOT NULL,
    sampled_at INTEGER NOT NULL, received_at INTEGER NOT NULL, flags INTEGER NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (node_id, counter)
);
CREATE TABLE IF NOT EXISTS node_state (
    node_id INTEGER PRIMARY KEY, last_counter INTEGER, state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letter (
    seq INTEGER PRIMARY KEY, node_id INTEGER, counter INTEGER, body TEXT, reason TEXT, at INTEGER
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


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


class Outbox:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")  # durable at COMMIT: we ack right after it
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        self._conn.close()

    # -- node state -------------------------------------------------------------------------
    def load_states(self) -> dict[int, tuple[int | None, dict[str, object]]]:
        rows = self._conn.execute("SELECT node_id, last_counter, state FROM node_state").fetchall()
        return {int(n): (c, json.loads(s)) for n, c, s in rows}

    # -- writing ----------------------------------------------------------------------------
    def commit_batch(
        self,
        frames: Sequence[tuple[int, int, int, int, int, str]],
        states: Iterable[tuple[int, int | None, dict[str, object]]],
    ) -> None:
        """Insert accepted frames and the node states they moved, atomically and durably."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT OR IGNORE INTO frame (node_id, counter, sampled_at, received_at, flags, body)"
                " VALUES (?,?,?,?,?,?)",
                frames,
            )
            conn.executemany(
                "INSERT OR REPLACE INTO node_state VALUES (?,?,?)",
                [(n, c, json.dumps(s)) for n, c, s in states],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    # -- forwarding -------------------------------------------------------------------------
    def oldest(self, limit: int) -> list[StoredFrame]:
        rows = self._conn.execute(
            "SELECT seq, node_id, counter, sampled_at, received_at, flags, body"
            " FROM frame ORDER BY seq LIMIT ?",
            (limit,),
        ).fetchall()
        out = []
        for seq, node_id, counter, sampled_at, received_at, flags, body in rows:
            doc = json.loads(body)
            out.append(
                StoredFrame(
                    seq, node_id, counter, sampled_at, received_at, flags, doc["v"], doc["s"], doc["q"]
                )
            )
        return out

    def confirm(self, seqs: Sequence[int]) -> None:
        """Trim frames the server has confirmed (stored or already had)."""
        self._conn.execute("BEGIN IMMEDIATE")
        self._conn.executemany("DELETE FROM frame WHERE seq=?", [(s,) for s in seqs])
        self._conn.execute("COMMIT")

    def dead_letter(self, frames: Sequence[StoredFrame], reason: str, now: int) -> None:
        """Move frames the server refuses for good out of the queue, keeping them for inspection."""
        self._conn.execute("BEGIN IMMEDIATE")
        self._conn.executemany(
            "INSERT OR REPLACE INTO dead_letter VALUES (?,?,?,?,?,?)",
            [(f.seq, f.node_id, f.counter, json.dumps(f.to_wire()), reason, now) for f in frames],
        )
        self._conn.executemany("DELETE FROM frame WHERE seq=?", [(f.seq,) for f in frames])
        self._conn.execute("COMMIT")

    def depth(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM frame").fetchone()[0])

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])


def encode_body(values: dict[str, float], statuses: dict[str, int], quality: dict[str, int]) -> str:
    return json.dumps({"v": values, "s": statuses, "q": quality}, separators=(",", ":"))
