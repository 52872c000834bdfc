"""Rollup and agronomic-daily reads/writes of the InfluxDB adapter (mixed into InfluxStore)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from server.timeseries import influx_rollup as ru
from server.timeseries.base import AggregatePoint, DailyValue, RollupLevels
from server.timeseries.resolution import day_bucket, day_of, local_midnight


class InfluxRollupReads(RollupLevels):
    """Needs ``database``, ``query``, ``_write_body`` and ``_ensure_database`` from InfluxStore."""

    database: str
    query: Callable[..., list[dict[str, Any]]]
    _write_body: Callable[[bytes, str], None]
    _ensure_database: Callable[[], None]

    def _rollup_rows(
        self, level: str, ids: Sequence[int], channel: str, start_s: int, end_s: int, resolution: str
    ) -> dict[int, list[AggregatePoint]]:
        out: dict[int, list[AggregatePoint]] = {int(n): [] for n in ids}
        self._ensure_database()
        q = ru.aggregate_query(self.database, list(out), channel, start_s, end_s, resolution, level)
        tag = ru.LEVELS[level][2]
        summed = channel in ru.SUM_CHANNELS
        for series in self.query(q)[0].get("series", []):
            points = out[int(series["tags"][tag])]
            for t, mean, lo, hi, n, total in series["values"]:
                if n:
                    points.append(AggregatePoint(int(t), mean, lo, hi, int(n), total if summed else None))
        return out

    def backfill(self, start_s: int, end_s: int, chunk_s: int = 7 * 86400) -> None:
        """One-off SELECT … INTO over a past range: CQs only cover windows after they were created."""
        self._ensure_database()
        for level in ru.LEVELS:
            for res in ("hour", "day"):
                lo = day_bucket(start_s) if res == "day" else start_s - start_s % 3600
                while lo < end_s:
                    q = ru.select_into(self.database, res, lo, min(lo + chunk_s, end_s), level)
                    self.query(q, timeout_s=900)
                    lo += chunk_s

    def write_daily(self, values: Sequence[DailyValue]) -> None:
        if not values:
            return
        self._ensure_database()
        lines = [
            f"{ru.AGRO},field={int(v.field_id)} {v.name}={float(v.value)!r} {local_midnight(v.day)}"
            for v in values
        ]
        self._write_body("\n".join(lines).encode(), ru.DAILY)

    def daily(self, field_id: int, name: str, start: date, end: date) -> list[DailyValue]:
        if not name.replace("_", "").isalnum():
            raise ValueError("bad daily series name")
        self._ensure_database()
        q = (
            f'SELECT "{name}" FROM "{self.database}"."{ru.DAILY}"."{ru.AGRO}"'
            f" WHERE \"field\" = '{int(field_id)}'"
            f" AND time >= {local_midnight(start)}s AND time <= {local_midnight(end)}s"
        )
        rows = [r for s in self.query(q)[0].get("series", []) for r in s["values"] if r[1] is not None]
        return [DailyValue(field_id, day_of(int(t)), name, float(v)) for t, v in rows]
