"""Zero-setup time-series store on SQLite, for the demo and single-farm installs."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from datetime import date

from server.timeseries import embedded_rollup as rollup
from server.timeseries.base import (
    AggregatePoint,
    DailyValue,
    FrameRecord,
    RollupLevels,
    SeriesPoint,
    check_channels,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reading (
    node_id INTEGER NOT NULL, time_s INTEGER NOT NULL, counter INTEGER NOT NULL,
    farm_id INTEGER NOT NULL, field_id INTEGER NOT NULL,
    values_json TEXT NOT NULL, statuses_json TEXT NOT NULL, quality_json TEXT NOT NULL,
    PRIMARY KEY (node_id, counter)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reading_node_time ON reading (node_id, time_s);
"""


class EmbeddedStore(RollupLevels):
    """Same semantics as InfluxDB for our schema: one point per frame (node, counter); a retried
    write of the same frame replaces it, and two frames with the same sample second both stay."""

    def __init__(self, path: str, raw_retention_days: int = 90) -> None:
        self.raw_retention_days = raw_retention_days
        self._conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA + rollup.SCHEMA)
            with self._conn:
                rollup.rebuild_fields(self._conn)
                rollup.exclude_flagged(self._conn)

    def write(self, records: Sequence[FrameRecord]) -> None:
        rows = [
            (
                r.node_id,
                r.time_s,
                r.counter,
                r.farm_id,
                r.field_id,
                json.dumps(r.values),
                json.dumps(r.statuses),
                json.dumps(r.quality),
            )
            for r in records
        ]
        with self._lock, self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO reading VALUES (?,?,?,?,?,?,?,?)", rows)
            rollup.refresh(self._conn, {(r.node_id, r.field_id, r.time_s) for r in records})

    def latest(self, node_ids: Sequence[int]) -> dict[int, FrameRecord]:
        out: dict[int, FrameRecord] = {}
        with self._lock:
            for node_id in node_ids:
                row = self._conn.execute(
                    "SELECT * FROM reading WHERE node_id=? ORDER BY time_s DESC, counter DESC LIMIT 1",
                    (node_id,),
                ).fetchone()
                if row:
                    out[node_id] = _record(row)
        return out

    def series(self, node_id: int, channel: str, start_s: int, end_s: int) -> list[SeriesPoint]:
        return self.series_many(node_id, [channel], start_s, end_s)[channel]

    def series_many(
        self, node_id: int, channels: Sequence[str], start_s: int, end_s: int
    ) -> dict[str, list[SeriesPoint]]:
        check_channels(channels)
        out: dict[str, list[SeriesPoint]] = {ch: [] for ch in channels}
        with self._lock:
            rows = self._conn.execute(
                "SELECT time_s, values_json, statuses_json, quality_json FROM reading"
                " WHERE node_id=? AND time_s>=? AND time_s<=? ORDER BY time_s",
                (node_id, start_s, end_s),
            ).fetchall()
        for time_s, values, statuses, quality in rows:
            v, s, q = json.loads(values), json.loads(statuses), json.loads(quality)
            for channel, points in out.items():
                if channel in v or channel in s:
                    points.append(SeriesPoint(time_s, v.get(channel), s.get(channel, 0), q.get(channel, 0)))
        return out

    def _rollup_rows(
        self, level: str, ids: Sequence[int], channel: str, start_s: int, end_s: int, resolution: str
    ) -> dict[int, list[AggregatePoint]]:
        table, column = rollup.LEVELS[level]
        out: dict[int, list[AggregatePoint]] = {int(n): [] for n in ids}
        marks = ",".join("?" * len(out))
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {column}, bucket, mean, min, max, count, sum FROM {table} WHERE res=? AND channel=?"
                f" AND {column} IN ({marks}) AND bucket>=? AND bucket<=? ORDER BY {column}, bucket",
                (resolution, channel, *out, start_s, end_s),
            ).fetchall()
        for key, *rest in rows:
            out[key].append(AggregatePoint(*rest))
        return out

    def write_daily(self, values: Sequence[DailyValue]) -> None:
        rows = [(v.field_id, v.name, v.day.isoformat(), float(v.value)) for v in values]
        with self._lock, self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO daily_value VALUES (?,?,?,?)", rows)

    def daily(self, field_id: int, name: str, start: date, end: date) -> list[DailyValue]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT day, value FROM daily_value WHERE field_id=? AND name=? AND day>=? AND day<=?"
                " ORDER BY day",
                (field_id, name, start.isoformat(), end.isoformat()),
            ).fetchall()
        return [DailyValue(field_id, date.fromisoformat(d), name, v) for d, v in rows]

    def maintain(self, now_s: int) -> None:
        with self._lock, self._conn:
            rollup.drop_raw_before(self._conn, now_s - self.raw_retention_days * 86400)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _record(row: tuple[int, int, int, int, int, str, str, str]) -> FrameRecord:
    node_id, time_s, counter, farm_id, field_id, values, statuses, quality = row
    return FrameRecord(
        node_id,
        counter,
        time_s,
        farm_id,
        field_id,
        json.loads(values),
        json.loads(statuses),
        json.loads(quality),
    )
