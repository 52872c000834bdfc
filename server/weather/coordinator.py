"""The one place the forecast is fetched and cached: settings -> cache -> API -> cache.

A fresh cached answer (younger than ``forecast_ttl_s``) is used as it is. Otherwise the API is
asked; a valid answer replaces the cache, an invalid or missing one leaves the cache alone and the
last good forecast is used while it is younger than ``MAX_STALE_S`` — said so, with its age. No
base URL configured means no forecast at all, and the advice says "no forecast".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from common.timezone import naive_local
from server.advisory.forecast_risk import ForecastHour, rain_ahead
from server.advisory.irrigation_plan import RainAhead
from server.config import Settings
from server.db import Database
from server.weather import openmeteo
from server.weather.models import ForecastCache

log = logging.getLogger(__name__)
#: Cache cell: 0.1 degree (about 11 km at 21 N), the grid of the coarsest global models Open-Meteo
#: blends (ECMWF IFS 0.1 deg, DWD ICON 11 km): fields closer than that get the same forecast anyway.
CELL_DEG = 0.1
#: A forecast older than a day has lost most of its skill for the next hours and days; past this
#: age a cached forecast is no longer shown.
MAX_STALE_S = 24 * 3600
#: Today's advice (home, field screen) asks the API at most this often per cell after a failure,
#: with a short read timeout, so a slow or dead API never holds up "what do I do today".
ADVICE_RETRY_AFTER_S = 300
ADVICE_TIMEOUT_S = 3.0
_failed_at: dict[tuple[str, str], int] = {}  # (API base, cell) -> last failed advice fetch, this process


@dataclass(frozen=True)
class ForecastResult:
    """The forecast for one place and how it was obtained.

    ``status``: ``off`` (no API configured), ``fresh``, ``stale`` (API down or invalid: the cache,
    ``age_s`` old), ``none`` (API down or invalid and no usable cache)."""

    status: str
    hours: tuple[ForecastHour, ...] = ()
    fetched_at: int | None = None
    age_s: int | None = None
    source: str | None = None
    problem: str | None = None
    cell: str | None = field(default=None)

    @property
    def available(self) -> bool:
        return bool(self.hours)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "source": self.source,
            "fetched_at": self.fetched_at,
            "age_s": self.age_s,
            "problem": self.problem,
        }


def cell_of(lat: float, lon: float) -> tuple[str, float, float]:
    """The cache key and the cell's centre (what is asked of the API) for a location."""
    clat, clon = round(round(lat / CELL_DEG) * CELL_DEG, 1), round(round(lon / CELL_DEG) * CELL_DEG, 1)
    return f"{clat:.1f},{clon:.1f}", clat, clon


def _parse_cached(row: ForecastCache, now_s: int) -> tuple[ForecastHour, ...] | None:
    try:
        return tuple(openmeteo.parse(row.body, naive_local(now_s)))
    except openmeteo.ForecastInvalid as exc:  # stored before a stricter rule, or ended: unusable
        log.info("cached forecast %s unusable: %s", row.cell, exc)
        return None


def _store(db: Database, key: str, lat: float, lon: float, now_s: int, source: str, body: str) -> None:
    try:
        with db.session() as s:
            row = s.get(ForecastCache, key)
            if row is None:
                s.add(ForecastCache(cell=key, lat=lat, lon=lon, fetched_at=now_s, source=source, body=body))
            elif row.fetched_at <= now_s:
                row.fetched_at, row.source, row.body = now_s, source, body
    except IntegrityError:  # another worker stored the same cell a moment ago: theirs is as good
        log.info("forecast cell %s stored concurrently", key)
    except SQLAlchemyError as exc:  # a busy database: the answer is still used, only not kept
        log.warning("forecast cell %s not cached: %s", key, exc)


def forecast(
    db: Database,
    settings: Settings,
    lat: float,
    lon: float,
    now_s: int,
    fetch: openmeteo.Fetch | None = None,
) -> ForecastResult:
    """The forecast for ``lat``/``lon`` at ``now_s`` (fresh cache, else the API, else stale cache)."""
    base = settings.forecast_url.strip().rstrip("/")
    if not base:
        return ForecastResult("off")
    key, clat, clon = cell_of(lat, lon)
    with db.session() as s:
        row = s.get(ForecastCache, key)
        cached = (row.fetched_at, row.source, _parse_cached(row, now_s)) if row is not None else None
    if cached and cached[2] and 0 <= now_s - cached[0] < settings.forecast_ttl_s:
        return ForecastResult("fresh", cached[2], cached[0], now_s - cached[0], cached[1], None, key)
    try:
        body = (fetch or openmeteo.http_fetch)(base + openmeteo.PATH, openmeteo.query(clat, clon))
        hours = tuple(openmeteo.parse(body, naive_local(now_s)))
    except openmeteo.ForecastInvalid as exc:
        problem = str(exc)
        log.warning("forecast for %s from %s unusable: %s", key, base, problem)
        if cached and cached[2] and now_s - cached[0] <= MAX_STALE_S:
            return ForecastResult("stale", cached[2], cached[0], now_s - cached[0], cached[1], problem, key)
        return ForecastResult("none", source=base, problem=problem, cell=key)
    _store(db, key, clat, clon, now_s, base, body)
    return ForecastResult("fresh", hours, now_s, 0, base, None, key)


def rain_for_advice(db: Database, settings: Settings, lat: float, lon: float, now_s: int) -> RainAhead | None:
    """The likely rain of the next 24/48 h for today's irrigation plan (``server.farm.today``), or
    None without a forecast. Cached like the card's forecast; after a failed request the cache
    alone answers for ``ADVICE_RETRY_AFTER_S``, and requests wait at most ``ADVICE_TIMEOUT_S``."""
    if not settings.forecast_url.strip():
        return None
    key = cell_of(lat, lon)[0]
    failed = _failed_at.get((settings.forecast_url, key))
    backing_off = failed is not None and 0 <= now_s - failed < ADVICE_RETRY_AFTER_S

    def fetch(url: str, params: dict[str, str]) -> str:
        if backing_off:
            raise openmeteo.ForecastInvalid("the forecast API failed a moment ago; retrying later")
        return openmeteo.http_fetch(url, params, ADVICE_TIMEOUT_S)

    got = forecast(db, settings, lat, lon, now_s, fetch)
    if got.status in ("stale", "none") and not backing_off:
        _failed_at[(settings.forecast_url, key)] = now_s  # failed: the next minutes use the cache alone
    elif got.status == "fresh" and got.age_s == 0:
        _failed_at.pop((settings.forecast_url, key), None)
    outlook = rain_ahead(got.hours, naive_local(now_s)) if got.hours else None
    return outlook.for_plan() if outlook else None
