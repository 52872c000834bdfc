"""The season table of one field from the database and the time-series store (the farmer's download).

Gathers what the pure ``server.advisory.season_table`` needs: the field days of the season from
the ONE field-day service (``fieldday.field_days``, the same numbers as the home screen and the
daily job), the sprays of the field's diary (voided entries left out, as everywhere), and each
day's highest disease risk from the same models as the home screen, run on the hours up to that day.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from common import timezone
from server.advisory import season_table
from server.advisory import water_balance as wb
from server.advisory.disease.risk import assess_field
from server.farm import fielddata, fieldday, season_profile
from server.farm.models import DiaryEntry, FieldProfile
from server.farm.today import HISTORY_DAYS
from server.registry import plantings
from server.registry.geo import centroid
from server.registry.models import Field
from server.timeseries.base import TimeSeriesStore

#: The longest table (days): a long season with margin; older days come from the daily job's store.
MAX_DAYS = 240
#: Without a planting date, the table shows the last two weeks (as the home screen's history).
UNDATED_DAYS = 14
#: The days of hours each day's risk is judged on: the home screen's history.
RISK_HISTORY_DAYS = HISTORY_DAYS
RISK_ORDER = {"none": 0, "unknown": 1, "low": 2, "moderate": 3, "high": 4}


def first_day(season: plantings.Season, today: date) -> date:
    """The table starts on the season's start (at most ``MAX_DAYS`` back), else two weeks back."""
    if season.planting_date is None or season.planting_date > today:
        return today - timedelta(days=UNDATED_DAYS - 1)
    return max(season.planting_date, today - timedelta(days=MAX_DAYS - 1))


def field_table(db: Session, store: TimeSeriesStore, field: Field, now: int) -> pd.DataFrame:
    """The field's season table up to today (today so far as the last row)."""
    today = timezone.local_today(now)
    season = plantings.seasons(db, [field], today)[field.id]
    start_day = first_day(season, today)
    start_s = timezone.local_midnight(start_day)
    wnode = fielddata.weather_node(field)
    points = fielddata.read_weather(store, wnode.id, start_s, now) if wnode else {}
    records = fielddata.hourly_records(points)
    lat = centroid(field.geometry)[0]
    days = fieldday.field_days(field.id, points, lat, season, fieldday.local_days(start_s, now), records)
    sprays: dict[date, list[str]] = defaultdict(list)
    for e in db.scalars(
        select(DiaryEntry)
        .where(
            DiaryEntry.field_id == field.id,
            DiaryEntry.kind == "spray",
            DiaryEntry.voided_at.is_(None),
            DiaryEntry.applied_on >= start_day,
        )
        .order_by(DiaryEntry.applied_on, DiaryEntry.id)
    ):
        sprays[e.applied_on].append(e.product_name)
    risk: dict[date, str] = {}
    records = sorted(records, key=lambda r: r.time)
    stamps = [r.time.date() for r in records]
    for d in (fd.day for fd in days):
        # the hours the home screen would have read that day: its two weeks of history, up to the day
        since = max(start_day, d - timedelta(days=RISK_HISTORY_DAYS - 1))
        upto = records[bisect_left(stamps, since) : bisect_right(stamps, d)]
        if not upto:
            continue
        levels = [r.level.value for r in assess_field(str(field.id), season.crop, upto, d, since=since)]
        if levels:
            risk[d] = max(levels, key=lambda v: RISK_ORDER.get(v, 0))
    profile = db.get(FieldProfile, field.id)
    soil = season_profile.used_values(profile, season, today).soil_texture
    return season_table.build(
        [fd.as_json() for fd in days],
        crop_key=season.crop,
        soil=wb.soil_for_texture(soil),
        sprays=sprays,
        risk=risk,
    )
