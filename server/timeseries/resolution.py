"""Which resolution answers a query: raw for short ranges, hourly rollups for weeks, daily beyond.

Pure, so the choice is testable. A range reaching past raw retention cannot be answered raw.
"""

from __future__ import annotations

from datetime import date

from server.timeseries.base import LOCAL_OFFSET_S

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

RAW_MAX_S = 3 * 86400  # ≤ 3 days: up to ~300 points per channel at 15 min
HOUR_MAX_S = 92 * 86400  # ≤ ~3 months: ≤ 2,200 hourly points


def pick_resolution(start_s: int, end_s: int, now_s: int, raw_retention_days: int) -> str:
    span = end_s - start_s
    raw_ok = start_s >= now_s - raw_retention_days * 86400
    if span <= RAW_MAX_S and raw_ok:
        return "raw"
    if span <= HOUR_MAX_S:
        return "hour"
    return "day"


def hour_bucket(t: int) -> int:
    return t - t % 3600


def day_bucket(t: int) -> int:
    """Start of the local (UTC+7) day containing t, in Unix seconds."""
    local = t + LOCAL_OFFSET_S
    return local - local % 86400 - LOCAL_OFFSET_S


def local_midnight(day: date) -> int:
    """Unix seconds of 00:00 UTC+7 on that day: where daily values are stamped."""
    return (day.toordinal() - EPOCH_ORDINAL) * 86400 - LOCAL_OFFSET_S


def day_of(t: int) -> date:
    return date.fromordinal(EPOCH_ORDINAL + (t + LOCAL_OFFSET_S) // 86400)
