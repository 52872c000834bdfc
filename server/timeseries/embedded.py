"""Zero-setup time-series store on SQLite, for the demo and single-farm installs."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence

from server.timeseries.base import FrameRecord, SeriesPoint

_SCHEMA = """
CREATE TABLE IF NOT EXISTS frame (
    node_id INTEGER NOT NULL, time_s INTEGER NOT NULL, counter INTEGER NOT NULL,
    farm_id INTEGER NOT NULL, field_id INTEGER NOT NULL,
    values_json TEXT NOT NULL, statuses_json TEXT NOT NULL, quality_json TEXT NOT NULL,
    PRIMARY KEY (node_id, time_s)
) WITHOUT ROWID;
"""


class EmbeddedStore:
    """Same semantics as InfluxDB for our schema: one point per (node, time); a rewrite replaces it."""

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)

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
            self._conn.executemany("INSERT OR REPLACE INTO frame VALUES (?,?,?,?,?,?,?,?)", rows)

    def latest(self, node_ids: Sequence[int]) -> dict[int, FrameRecord]:
        out: dict[int, FrameRecord] = {}
        with self._lock:
            for node_id in node_ids:
                row = self._conn.execute(
                    "SELECT * FROM frame WHERE node_id=? ORDER BY time_s DESC LIMIT 1", (node_id,)
                ).fetchone()
                if row:
                    out[node_id] = _record(row)
        return out

    def series(self, node_id: int, channel: str, start_s: int, end_s: int) -> list[SeriesPoint]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT time_s, values_json, statuses_json, quality_json FROM frame"
                " WHERE node_id=? AND time_s>=? AND time_s<=? ORDER BY time_s",
                (node_id, start_s, end_s),
            ).fetchall()
        points = []
        for time_s, values, statuses, quality in rows:
            v, s, q = json.loads(values), json.loads(statuses), json.loads(quality)
            if channel in v or channel in s:
                points.append(SeriesPoint(time_s, v.get(channel), s.get(channel, 0), q.get(channel, 0)))
        return points

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
