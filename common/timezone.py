"""The farms' civil time: Vietnam, UTC+7 all year. The one definition for the server, the gateway,
the jobs and the web apps (the front end reads ``mobile_api/static/js/timezone.js``, which a test
holds to these values).

Why one module: an advice day, a daily rollup bucket, a diary date and a gateway's quiet hours must
all start at the same local midnight, or the home screen and the daily job disagree about "today".

Source: IANA time zone database, zone ``Asia/Ho_Chi_Minh`` (file ``asia``): UTC+7 ("+07",
Indochina Time) since 13 June 1975, with no daylight saving time since. Because the offset never
changes, local days are whole multiples of 86,400 s shifted by ``UTC_OFFSET_S`` and are computed
by integer arithmetic, without a time-zone database on the gateway.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

IANA_NAME = "Asia/Ho_Chi_Minh"
UTC_OFFSET_H = 7
UTC_OFFSET_S = UTC_OFFSET_H * 3600
LOCAL = timezone(timedelta(seconds=UTC_OFFSET_S), "ICT")
DAY_S = 86400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
#: Naive local datetimes (hourly weather records) count from this local midnight.
LOCAL_EPOCH = datetime(1970, 1, 1)


def local_date(t_s: float) -> date:
    """The local calendar day containing Unix time ``t_s``."""
    return date.fromordinal(_EPOCH_ORDINAL + (int(t_s) + UTC_OFFSET_S) // DAY_S)


def local_today(now_s: float | None = None) -> date:
    """Today on the farm (default: now)."""
    return local_date(time.time() if now_s is None else now_s)


def local_midnight(day: date) -> int:
    """Unix seconds of 00:00 local time on ``day``: where daily values are stamped."""
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY_S - UTC_OFFSET_S


def day_start(t_s: int) -> int:
    """Unix seconds of the local midnight that starts the day containing ``t_s``."""
    local = t_s + UTC_OFFSET_S
    return local - local % DAY_S - UTC_OFFSET_S


def local_hour_of_day(t_s: int) -> int:
    """0-23: the local clock hour at ``t_s`` (the gateway's quiet hours)."""
    return ((t_s + UTC_OFFSET_S) // 3600) % 24


def naive_local(t_s: int) -> datetime:
    """``t_s`` as a naive local datetime (what the advisory's hourly records carry)."""
    return LOCAL_EPOCH + timedelta(seconds=t_s + UTC_OFFSET_S)
