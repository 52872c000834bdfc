"""Which resolution answers a query: raw for short ranges, hourly rollups for weeks, daily beyond.

Pure, so the choice is testable. A range reaching past raw retention cannot be answered raw.
"""

from __future__ import annotations

from common import timezone

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


# Local days are Vietnam's (common.timezone): one definition for the rollups, the jobs and the advice.
day_bucket = timezone.day_start
local_midnight = timezone.local_midnight
day_of = timezone.local_date
