"""Batch jobs the server runs from cron or by hand: retention/rollups housekeeping, backfill, and
the agronomic daily values per field (``farm server daily``).

The daily values are the field-day service's (``server.farm.fieldday``: ET0, rain, GDD, leaf-wetness
hours, ETc from the field's planting record), computed from the same station samples the home
screen reads, so the stored series and the home screen agree; this module only fetches inputs and
stores results, so a re-run for the same day replaces the values.
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from common import timezone
from server.auth import ratelimit
from server.auth.models import AuthSession, LoginFailure
from server.farm import fielddata, fieldday
from server.registry import plantings
from server.registry.geo import centroid
from server.registry.models import Field, IngestedFrame
from server.services import Services
from server.timeseries.base import DailyValue

log = logging.getLogger(__name__)


DEDUPE_KEEP_DAYS = 60  # a replay older than this rewrites the same InfluxDB point: still idempotent


def maintain(svc: Services) -> None:
    """Store retention, plus the registry's own expiring rows (dedupe keys, sessions, failures)."""
    now = int(time.time())
    svc.store.maintain(now)
    with svc.db.session() as session:
        session.execute(
            delete(IngestedFrame).where(IngestedFrame.received_at < now - DEDUPE_KEEP_DAYS * 86400)
        )
        session.execute(delete(AuthSession).where(AuthSession.expires_at < now))
        session.execute(delete(LoginFailure).where(LoginFailure.at < now - ratelimit.WINDOW_S))


def backfill(svc: Services, days: int) -> None:
    backfill_fn = getattr(svc.store, "backfill", None)
    if backfill_fn is not None:  # the embedded store rolls up as it writes
        now = int(time.time())
        backfill_fn(now - days * 86400, now)


def field_days(svc: Services, day: date) -> list[fieldday.FieldDay]:
    """The field day of every field with a weather station (its own or its farm's) on local ``day``."""
    start, end = timezone.local_midnight(day), timezone.local_midnight(day + timedelta(days=1)) - 1
    out: list[fieldday.FieldDay] = []
    read: dict[int, fielddata.WeatherPoints] = {}  # one read per station, shared by its farm's fields
    with svc.db.session() as session:
        fields = session.scalars(select(Field).options(selectinload(Field.nodes)).order_by(Field.id)).all()
        seasons = plantings.seasons(session, fields, day)
        for field in fields:
            station = fielddata.weather_node(field)
            if station is None:
                continue
            if station.id not in read:
                read[station.id] = fielddata.read_weather(svc.store, station.id, start, end)
            lat = centroid(field.geometry)[0]
            out += fieldday.field_days(field.id, read[station.id], lat, seasons[field.id], [day])
    return out


def daily_values(svc: Services, day: date) -> list[DailyValue]:
    """ET0, rain, GDD, leaf-wetness hours and ETc of every field with a station, stored per field."""
    values = [v for d in field_days(svc, day) for v in d.daily_values()]
    svc.store.write_daily(values)
    log.info("%d daily values for %s", len(values), day)
    return values


def daily_range(svc: Services, first: date, last: date) -> int:
    count, day = 0, first
    while day <= last:
        count += len(daily_values(svc, day))
        day += timedelta(days=1)
    return count


def daily_recent(svc: Services, days: int, now_s: float | None = None) -> int:
    """``daily_range`` over the last ``days`` local days up to today on the farm (Vietnam time, not
    the server's clock zone)."""
    today = timezone.local_today(now_s)
    return daily_range(svc, today - timedelta(days=days), today)
