"""Today's advice for one field: irrigate or not, disease risk, harvest lock, node states.

Calls the advisory engine (pure functions) with the field's data; every answer keeps the
advisory's bilingual text and reason code so the app shows a one-line "why". The season (crop,
planting date) is the registry's planting record, the daily numbers (ET0, rain, GDD, leaf wetness,
ETc) the field-day service's, and each node's state the common node-health verdict: the same
facts the daily job, the officer map and the technician see.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import object_session

from common.node_limits import verdict_of
from server.advisory import kc
from server.advisory import water_balance as wb
from server.advisory.disease.risk import assess_field
from server.advisory.i18n import Text, message
from server.advisory.irrigation import (
    Confidence,
    FieldSpec,
    IrrigationAdvice,
    PaddyObservation,
    Reason,
    advise_awd,
    advise_irrigation,
)
from server.advisory.irrigation_plan import IrrigationPlan, RainAhead, assumptions, plan
from server.farm import fielddata, fieldday, season_profile
from server.farm.compliance import HarvestLock
from server.farm.models import FieldProfile
from server.registry import plantings
from server.registry.geo import centroid
from server.registry.models import Field, Node
from server.timeseries.base import FrameRecord, TimeSeriesStore

DEFAULT_SOIL = season_profile.DEFAULT_SOIL  # the defaults' one home is the season profile
PADDY_SATURATION = 0.50
DEFAULT_DAYS_AFTER_PLANTING = season_profile.DEFAULT_DAYS_AFTER_PLANTING
HISTORY_DAYS = 14
RISK_ORDER = {"none": 0, "low": 1, "unknown": 1, "moderate": 2, "high": 3}


def text_json(t: Text) -> dict[str, str]:
    return t.as_json()


def node_state(node_id: int, name: str, kind: str, rec: FrameRecord | None, now: int) -> dict[str, Any]:
    """State code the app words, e.g. ``battery_low`` -> "cảm biến ruộng 2 hết pin", with the
    common verdict (``health``) every other screen gives for the same node."""
    base = {"id": node_id, "name": name, "kind": kind}
    health = verdict_of(rec.time_s if rec else None, rec.values if rec else None, now)
    base["health"] = health.as_json()
    if rec is None:
        return base | {"state": "never_seen"}
    if not health.online:
        return base | {"state": "offline", "age_s": now - rec.time_s}
    if health.battery_low:
        return base | {"state": "battery_low", "battery_v": rec.values.get("battery")}
    if rec.statuses:
        return base | {"state": "sensor_fault", "channels": sorted(rec.statuses)}
    return base | {"state": "online", "age_s": now - rec.time_s}


def _irrigation(
    field: Field,
    used: season_profile.Used,
    season: plantings.Season,
    water: list[Any],
    latest: dict[str, float],
    today: date,
) -> IrrigationAdvice:
    soil = wb.soil_for_texture(used.soil_texture)
    spec = FieldSpec(str(field.id), field.area_m2, season.crop, used.planting_date, soil)
    theta = latest.get("soil_vwc")
    try:
        paddy = kc.get_crop(season.crop).paddy
    except KeyError:  # a field recorded before crops were checked: say so, never fail the screen
        missing = message("irrigation.missing.unknown_crop", crop=season.crop)
        text = message("irrigation.insufficient_data", missing=missing)
        return IrrigationAdvice(spec.field_id, today, Reason.INSUFFICIENT_DATA, Confidence.LOW, text)
    if paddy:
        return advise_awd(
            spec, today, PaddyObservation(latest.get("water_level"), False, theta, PADDY_SATURATION)
        )
    sensor = wb.SoilMoistureReading(theta, calibrated=True) if theta is not None else None
    today_row = next((w for w in water if w.day == today), None)
    return advise_irrigation(spec, water, today, sensor=sensor, today_et0_mm=today_row and today_row.et0_mm)


def _plan(field: Field, used: season_profile.Used, crop: str, advice: IrrigationAdvice,
          rain: RainAhead | None) -> IrrigationPlan:  # fmt: skip
    """The advice as applications of the field's method (``server.advisory.irrigation_plan``)."""
    try:
        zr = kc.get_crop(crop).root_depth_min_m or 0.5
    except KeyError:
        zr = 0.5  # an unknown crop has no amount to split anyway (insufficient data)
    return plan(
        advice,
        area_m2=field.area_m2,
        method=used.method,
        soil_texture=used.soil_texture,
        root_depth_m=zr,
        pump_rate_m3h=used.pump_rate_m3h,
        rain=rain,
    )


def season_for(field: Field, day: date) -> plantings.Season:
    """The field's season from the registry's planting record (its own session's query)."""
    session = object_session(field)
    if session is None:
        return plantings.season_of(field, None)
    return plantings.seasons(session, [field], day)[field.id]


class StoreReads:
    """The store's answers, memoised for ONE request (never kept beyond it, never shared).

    The fields of a farm usually share one weather station: home reads its 14 days of hourly
    weather once per request instead of once per field, and the latest frame of every node of the
    farm in one ``latest`` call (``prefetch_farm``) instead of one per field.
    """

    def __init__(self, store: TimeSeriesStore) -> None:
        self.store = store
        self._farm_latest: dict[int, FrameRecord] = {}
        self._farm_ids: frozenset[int] = frozenset()
        self._farm: tuple[int, Node | None] | None = None  # (farm id, its first weather station)
        self._weather: dict[tuple[int, int, int], fielddata.WeatherPoints] = {}

    def prefetch_farm(self, fields: Sequence[Field]) -> None:
        """One ``latest`` for all nodes of a farm's ``fields`` (each with its nodes loaded)."""
        station = next((n for f in fields for n in f.nodes if n.kind == "weather"), None)
        ids = [n.id for f in fields for n in f.nodes]
        self._farm_latest = self.store.latest(ids)
        self._farm_ids = frozenset(ids)
        self._farm = (fields[0].farm_id, station) if fields else None

    def weather_node(self, field: Field) -> Node | None:
        """``fielddata.weather_node``, from the prefetched farm when it is this field's."""
        if self._farm is None or self._farm[0] != field.farm_id:
            return fielddata.weather_node(field)
        own = [n for n in field.nodes if n.kind == "weather"]
        return own[0] if own else self._farm[1]

    def latest(self, node_ids: list[int]) -> dict[int, FrameRecord]:
        wanted = set(node_ids)
        if not wanted <= self._farm_ids:
            return self.store.latest(node_ids)
        return {n: rec for n, rec in self._farm_latest.items() if n in wanted}

    def weather(self, node_id: int, start_s: int, end_s: int) -> fielddata.WeatherPoints:
        key = (node_id, start_s, end_s)
        if key not in self._weather:
            self._weather[key] = fielddata.read_weather(self.store, node_id, start_s, end_s)
        return self._weather[key]


def field_readings(field: Field, latest: dict[int, FrameRecord], station_id: int | None) -> dict[str, float]:
    """The field's current values: its own nodes' latest (newest wins; a tie goes to the higher
    node id, whatever order the store answered in), over the weather channels of a station
    borrowed from another field of the farm — never that field's soil readings."""
    out: dict[str, float] = {}
    borrowed = latest.get(station_id) if station_id is not None else None
    if borrowed is not None:
        out = {k: v for k, v in borrowed.values.items() if k in fielddata.WEATHER_CHANNELS}
    own = [latest[n.id] for n in field.nodes if n.id in latest]
    for rec in sorted(own, key=lambda r: (r.time_s, r.node_id)):
        out |= rec.values
    return out


def field_today(
    store: TimeSeriesStore,
    field: Field,
    profile: FieldProfile | None,
    lock: HarvestLock,
    now: int,
    reads: StoreReads | None = None,
    season: plantings.Season | None = None,
    rain: RainAhead | None = None,
) -> dict[str, Any]:
    """Today's advice for one field; pass one ``StoreReads`` for all fields of one request, and the
    field's ``season`` when already read (``plantings.seasons`` for a farm); else it is read here.
    ``rain``: the forecast rain of the next 24/48 h for the field, when a forecast is available —
    the irrigation plan then holds water back before rain (``irrigation_plan.plan``)."""
    reads = reads or StoreReads(store)
    today = fielddata.local_today(now)
    season = season or season_for(field, today)
    wnode = reads.weather_node(field)
    extra = [wnode.id] if wnode and wnode.field_id != field.id else []  # the farm's station, if none here
    latest_recs = reads.latest([n.id for n in field.nodes] + extra)
    nodes = [node_state(n.id, n.name, n.kind, latest_recs.get(n.id), now) for n in field.nodes]
    latest = field_readings(field, latest_recs, extra[0] if extra else None)
    start = now - HISTORY_DAYS * 86400
    points = reads.weather(wnode.id, start, now) if wnode else {}
    records = fielddata.hourly_records(points)
    days = fieldday.field_days(
        field.id, points, centroid(field.geometry)[0], season, fieldday.local_days(start, now), records
    )
    used = season_profile.used_values(profile, season, today)
    irr = _irrigation(field, used, season, [d.water() for d in days], latest, today)
    irr_plan = _plan(field, used, season.crop, irr, rain)
    assumed_text = assumptions(
        planting_date=used.assumed_planting,
        soil_texture=used.assumed_soil,
        method=used.assumed_method,
        pump_rate_missing=used.pump_rate_missing,
    )
    since = (
        max(season.planting_date, today - timedelta(days=HISTORY_DAYS - 1)) if season.planting_date else None
    )
    risks = sorted(
        assess_field(str(field.id), season.crop, records, today, since=since),
        key=lambda r: -RISK_ORDER[r.level.value],
    )
    rain_24h = (
        sum(r.rain_mm or 0.0 for r in records if r.time >= records[-1].time - timedelta(hours=24))
        if records
        else None
    )
    return {
        "day": today.isoformat(),
        "irrigation": {
            "reason": irr.reason.value,
            "confidence": irr.confidence.value,
            "text": text_json(irr.text),
            "depth_mm": irr.depth_mm,
            "volume_m3": irr.volume_m3,
            "caveats": [text_json(c) for c in irr.caveats],
            "flags": list(irr.flags),
            "plan": irr_plan.as_json(),
        },
        "disease": [
            {"disease": r.disease_key, "level": r.level.value, "text": text_json(r.text)} for r in risks
        ],
        "harvest": lock.as_json(),
        "nodes": nodes,
        "readings": {
            k: latest.get(k) for k in ("soil_vwc", "soil_temp", "air_temp", "air_rh", "leaf_wetness")
        }
        | {"rain_24h": rain_24h},
        # yesterday (a whole day: what the daily job stores) and today so far
        "field_days": [d.as_json() for d in days[-2:]],
        "season": {
            "crop": season.crop,
            "planting_date": season.planting_date.isoformat() if season.planting_date else None,
            "planting_id": season.planting_id,
        },
        "assumed": {
            "planting_date": season.assumed,
            "soil": used.assumed_soil is not None,
            "method": used.assumed_method is not None,
            "confirmed": bool(profile and profile.confirmed_at),
        },
        # "Giả sử gieo trồng ngày …, đất thịt pha sét, tưới rãnh …" until the profile says otherwise
        "assumptions": text_json(assumed_text) if assumed_text else None,
    }
