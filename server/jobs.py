"""Batch jobs the server runs from cron or by hand: retention/rollups housekeeping, backfill, and
the agronomic daily values per field (from the daily rollups of the field's weather node).

The agronomy is the advisory package's (FAO-56 ET0); this module only fetches inputs and stores
results, so a re-run for the same day replaces the values.
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from sqlalchemy import delete, select

from server.advisory.errors import AdvisoryInputError
from server.advisory.et0 import DailyWeather, Site, daily_et0
from server.auth import ratelimit
from server.auth.models import AuthSession, LoginFailure
from server.registry.models import Field, IngestedFrame, Node
from server.services import Services
from server.timeseries.base import DailyValue
from server.timeseries.resolution import local_midnight

log = logging.getLogger(__name__)
GDD_BASE_C = 10.0  # base temperature for rice, maize and most vegetables grown here
WM2_DAY_TO_MJ = 0.0864  # mean W/m² over a day → MJ/m²/day


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


def _day_values(
    svc: Services, node_id: int, day: date
) -> dict[str, tuple[float | None, float | None, float | None]]:
    start = local_midnight(day)
    out = {}
    for ch in ("air_temp", "air_rh", "wind_speed", "solar_radiation", "rain"):
        points = svc.store.aggregate([node_id], ch, start, start, "day")[node_id]
        if points:
            p = points[0]
            out[ch] = (p.min, p.max, p.sum if ch == "rain" else p.mean)
    return out


def daily_values(svc: Services, day: date) -> list[DailyValue]:
    """GDD, rain and (when temperature is there) FAO-56 ET0 for every field with a weather node."""
    values: list[DailyValue] = []
    with svc.db.session() as session:
        rows = session.execute(
            select(Field.id, Node.id, Node.lat)
            .join(Node, Node.field_id == Field.id)
            .where(Node.kind == "weather")
        ).all()
    for field_id, node_id, lat in rows:
        d = _day_values(svc, node_id, day)
        if "rain" in d and d["rain"][2] is not None:
            values.append(DailyValue(field_id, day, "rain_mm", float(d["rain"][2])))
        tmin, tmax, _ = d.get("air_temp", (None, None, None))
        if tmin is None or tmax is None:
            continue
        values.append(DailyValue(field_id, day, "gdd", max(0.0, (tmin + tmax) / 2 - GDD_BASE_C)))
        rh_min, rh_max, _ = d.get("air_rh", (None, None, None))
        weather = DailyWeather(
            day, tmax, tmin, rh_max=rh_max, rh_min=rh_min,
            wind_m_s=d.get("wind_speed", (None, None, None))[2],
            rs_mj_m2=(d["solar_radiation"][2] or 0) * WM2_DAY_TO_MJ if "solar_radiation" in d else None,
        )  # fmt: skip
        try:
            values.append(DailyValue(field_id, day, "et0_mm", daily_et0(weather, Site(lat or 21.3)).et0_mm))
        except AdvisoryInputError as exc:
            log.warning("no ET0 for field %s on %s: %s", field_id, day, exc)
    svc.store.write_daily(values)
    return values


def daily_range(svc: Services, first: date, last: date) -> int:
    count, day = 0, first
    while day <= last:
        count += len(daily_values(svc, day))
        day += timedelta(days=1)
    return count
