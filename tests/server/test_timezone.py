"""One time zone: common/timezone.py for Python, mobile_api/static/js/timezone.js for the front end.

Vietnam is UTC+7 without daylight saving (IANA zone Asia/Ho_Chi_Minh); a second definition of the
offset anywhere else fails here, as does a front-end constant that disagrees with the server's.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from common import timezone

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "mobile_api" / "static" / "js" / "timezone.js"
# Spellings of UTC+7 that mean a second definition (comments saying "UTC+7" are fine).
SECOND_COPY = re.compile(r"hours\s*=\s*7\b|\b7\s*\*\s*3600|\b25200\b|Asia/Ho_Chi_Minh|7\s*\*\s*3600e3")
HOMES = {"common/timezone.py", "mobile_api/static/js/timezone.js"}


def _sources() -> list[Path]:
    skip = ("tests/", "migrations/", "node_modules/", ".venv", "bench/", "vendor/")
    out = []
    for pattern in ("**/*.py", "**/*.js"):
        for p in ROOT.glob(pattern):
            rel = p.relative_to(ROOT).as_posix()
            if not rel.startswith(skip) and "/vendor/" not in rel and "node_modules" not in rel:
                out.append(p)
    return out


def test_utc_plus_7_is_defined_once_per_side() -> None:
    found = {p.relative_to(ROOT).as_posix() for p in _sources() if SECOND_COPY.search(p.read_text())}
    assert found - HOMES == set()


HOST_DAY = re.compile(r"\bdate\.today\(\)|\bdatetime\.(?:now|today)\(\)")


def test_no_code_reads_the_day_from_the_hosts_clock_zone() -> None:
    """A server or CI machine runs on UTC: from 17:00 UTC its ``date.today()`` is yesterday on the
    farm. Every "today" (advice, locks, lot dates, and the tests' expectations) is the farm's."""
    here = Path(__file__).resolve()
    python = [
        p
        for p in ROOT.glob("**/*.py")
        if p != here and not p.relative_to(ROOT).as_posix().startswith((".venv", "node_modules"))
    ]
    found = sorted(p.relative_to(ROOT).as_posix() for p in python if HOST_DAY.search(p.read_text()))
    assert found == [], f"use common.timezone.local_today() in {found}"


def test_the_front_end_constant_is_the_servers() -> None:
    text = JS.read_text()
    zone = re.search(r'TIME_ZONE = "([^"]+)"', text)
    offset = re.search(r"UTC_OFFSET_S = (\d+)", text)
    assert zone and offset
    assert (zone.group(1), int(offset.group(1))) == (timezone.IANA_NAME, timezone.UTC_OFFSET_S)


@pytest.mark.parametrize("day", [date(1976, 1, 1), date(2026, 3, 29), date(2026, 10, 25), date(2040, 7, 1)])
def test_local_days_match_the_tz_database(day: date) -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        zone = zoneinfo.ZoneInfo(timezone.IANA_NAME)
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time-zone database on this machine")
    midnight = timezone.local_midnight(day)
    assert datetime.fromtimestamp(midnight, zone) == datetime(day.year, day.month, day.day, tzinfo=zone)
    assert timezone.local_date(midnight) == day and timezone.local_date(midnight - 1) == day - timedelta(
        days=1
    )
    assert timezone.day_start(midnight + 86399) == midnight


def test_the_local_day_turns_at_17_utc() -> None:
    t = int(datetime(2026, 12, 4, 17, 0, tzinfo=UTC).timestamp())
    assert timezone.local_date(t - 1) == date(2026, 12, 4) and timezone.local_date(t) == date(2026, 12, 5)
    assert timezone.local_hour_of_day(t) == 0 and timezone.naive_local(t) == datetime(2026, 12, 5, 0, 0)
