"""Rollups and retention for the embedded store, done by the server itself (no CQ engine here).

After each write the touched hour buckets are recomputed from raw rows, then the touched local
days from the hour rows: exact (count-weighted means), idempotent, and cheap for the 15-minute
cadence. Rollups outlive raw rows, which ``drop_raw_before`` removes past retention.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable

from server.timeseries.base import SUM_CHANNELS
from server.timeseries.resolution import day_bucket, hour_bucket

SCHEMA = """
CREATE TABLE IF NOT EXISTS rollup (
    res TEXT NOT NULL, node_id INTEGER NOT NULL, channel TEXT NOT NULL, bucket INTEGER NOT NULL,
    mean REAL, min REAL, max REAL, sum REAL, count INTEGER NOT NULL,
    PRIMARY KEY (res, node_id, channel, bucket)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS daily_value (
    field_id INTEGER NOT NULL, name TEXT NOT NULL, day TEXT NOT NULL, value REAL NOT NULL,
    PRIMARY KEY (field_id, name, day)
) WITHOUT ROWID;
"""
_UPSERT = "INSERT OR REPLACE INTO rollup VALUES (?,?,?,?,?,?,?,?,?)"


def refresh(conn: sqlite3.Connection, touched: Iterable[tuple[int, int]]) -> None:
    """Recompute the hour and day rollups covering these (node_id, time_s) samples."""
    hours = {(n, hour_bucket(t)) for n, t in touched}
    for node_id, start in hours:
        rows = conn.execute(
            "SELECT values_json FROM reading WHERE node_id=? AND time_s>=? AND time_s<?",
            (node_id, start, start + 3600),
        ).fetchall()
        per_channel: dict[str, list[float]] = defaultdict(list)
        for (values,) in rows:
            for channel, v in json.loads(values).items():
                per_channel[channel].append(float(v))
        conn.execute("DELETE FROM rollup WHERE res='hour' AND node_id=? AND bucket=?", (node_id, start))
        conn.executemany(
            _UPSERT,
            [
                (
                    "hour",
                    node_id,
                    ch,
                    start,
                    sum(vs) / len(vs),
                    min(vs),
                    max(vs),
                    sum(vs) if ch in SUM_CHANNELS else None,
                    len(vs),
                )
                for ch, vs in per_channel.items()
            ],
        )
    for node_id, start in {(n, day_bucket(t)) for n, t in hours}:
        conn.execute("DELETE FROM rollup WHERE res='day' AND node_id=? AND bucket=?", (node_id, start))
        conn.execute(
            "INSERT INTO rollup SELECT 'day', node_id, channel, ?, SUM(mean*count)/SUM(count), MIN(min),"
            " MAX(max), SUM(sum), SUM(count) FROM rollup WHERE res='hour' AND node_id=? AND bucket>=?"
            " AND bucket<? GROUP BY node_id, channel",
            (start, node_id, start, start + 86400),
        )


def drop_raw_before(conn: sqlite3.Connection, cutoff_s: int) -> int:
    return conn.execute("DELETE FROM reading WHERE time_s < ?", (cutoff_s,)).rowcount
