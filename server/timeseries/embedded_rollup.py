"""Rollups and retention for the embedded store, done by the server itself (no CQ engine here).

After each write the touched hour buckets are recomputed from raw rows, then the touched local
days from the hour rows: exact (count-weighted means), idempotent, and cheap for the 15-minute
cadence. Flagged values (``common.quality.is_flagged``) stay in the raw rows and out of every
rollup. Two levels, as in InfluxDB: per node and per field (all of a field's nodes together).
Rollups outlive raw rows, which ``drop_raw_before`` removes past retention.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable

from common.quality import is_flagged
from server.timeseries.base import ROLLUP_CHANNELS, SUM_CHANNELS
from server.timeseries.resolution import day_bucket, hour_bucket

SCHEMA = """
CREATE TABLE IF NOT EXISTS rollup (
    res TEXT NOT NULL, node_id INTEGER NOT NULL, channel TEXT NOT NULL, bucket INTEGER NOT NULL,
    mean REAL, min REAL, max REAL, sum REAL, count INTEGER NOT NULL,
    PRIMARY KEY (res, node_id, channel, bucket)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS field_rollup (
    res TEXT NOT NULL, field_id INTEGER NOT NULL, channel TEXT NOT NULL, bucket INTEGER NOT NULL,
    mean REAL, min REAL, max REAL, sum REAL, count INTEGER NOT NULL,
    PRIMARY KEY (res, field_id, channel, bucket)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reading_field_time ON reading (field_id, time_s);
CREATE TABLE IF NOT EXISTS daily_value (
    field_id INTEGER NOT NULL, name TEXT NOT NULL, day TEXT NOT NULL, value REAL NOT NULL,
    PRIMARY KEY (field_id, name, day)
) WITHOUT ROWID;
"""
# level -> (rollup table, the id column it and the reading table share); constants, never input
LEVELS = {"node": ("rollup", "node_id"), "field": ("field_rollup", "field_id")}


def refresh(conn: sqlite3.Connection, touched: Iterable[tuple[int, int, int]]) -> None:
    """Recompute the hour and day rollups, per node and per field, covering these
    (node_id, field_id, time_s) samples."""
    touched = list(touched)
    _refresh(conn, "node", {(n, t) for n, _f, t in touched})
    _refresh(conn, "field", {(f, t) for _n, f, t in touched})


def rebuild_fields(conn: sqlite3.Connection) -> None:
    """Field rollups for raw rows written before this table existed (older data has none)."""
    if conn.execute("SELECT 1 FROM field_rollup LIMIT 1").fetchone() is None:
        hours = conn.execute("SELECT DISTINCT field_id, time_s - time_s % 3600 FROM reading").fetchall()
        _refresh(conn, "field", {(f, t) for f, t in hours})


#: ``PRAGMA user_version`` of a store whose rollups leave flagged values out (issue 16).
FLAGGED_EXCLUDED = 1


def exclude_flagged(conn: sqlite3.Connection) -> int:
    """Once per store: recompute the hours that hold a flagged value, rolled up by an older release
    that still averaged them in (a value of 1.7e308 made the means Infinity). Only rows with quality
    bits are read, so a store with none costs one scan; returns the hours recomputed."""
    if conn.execute("PRAGMA user_version").fetchone()[0] >= FLAGGED_EXCLUDED:
        return 0
    touched = conn.execute(
        "SELECT DISTINCT node_id, field_id, time_s - time_s % 3600 FROM reading WHERE quality_json != '{}'"
    ).fetchall()
    refresh(conn, touched)
    conn.execute(f"PRAGMA user_version = {FLAGGED_EXCLUDED}")
    return len(touched)


def _refresh(conn: sqlite3.Connection, level: str, touched: set[tuple[int, int]]) -> None:
    table, column = LEVELS[level]
    hours = {(key, hour_bucket(t)) for key, t in touched}
    for key, start in hours:
        rows = conn.execute(
            f"SELECT values_json, quality_json FROM reading WHERE {column}=? AND time_s>=? AND time_s<?",
            (key, start, start + 3600),
        ).fetchall()
        per_channel: dict[str, list[float]] = defaultdict(list)
        for values, quality in rows:
            flags: dict[str, int] = json.loads(quality)
            for channel, v in json.loads(values).items():
                # as InfluxDB's CQs: the catalogue's aggregation, and a flagged value never counts
                if channel in ROLLUP_CHANNELS and not is_flagged(flags.get(channel, 0)):
                    per_channel[channel].append(float(v))
        conn.execute(f"DELETE FROM {table} WHERE res='hour' AND {column}=? AND bucket=?", (key, start))
        conn.executemany(
            f"INSERT OR REPLACE INTO {table} VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (
                    "hour",
                    key,
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
    for key, start in {(k, day_bucket(t)) for k, t in hours}:
        conn.execute(f"DELETE FROM {table} WHERE res='day' AND {column}=? AND bucket=?", (key, start))
        conn.execute(
            f"INSERT INTO {table} SELECT 'day', {column}, channel, ?, SUM(mean*count)/SUM(count), MIN(min),"
            f" MAX(max), SUM(sum), SUM(count) FROM {table} WHERE res='hour' AND {column}=? AND bucket>=?"
            f" AND bucket<? GROUP BY {column}, channel",
            (start, key, start, start + 86400),
        )


def drop_raw_before(conn: sqlite3.Connection, cutoff_s: int) -> int:
    return conn.execute("DELETE FROM reading WHERE time_s < ?", (cutoff_s,)).rowcount
