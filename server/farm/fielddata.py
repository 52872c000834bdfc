"""A field's data from the time-series store: latest readings, hourly weather, daily water inputs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import inspect, select
from sqlalchemy.orm import object_session

from server.advisory.et0 import DailyWeather, Site, daily_et0
from server.advisory.irrigation import DailyWater
from server.advisory.weather import HourlyRecord
from server.registry.models import Field, Node
from server.timeseries.base import TimeSeriesStore

ICT = timezone(timedelta(hours=7))  # the farms' local time; advice days are local days
ICT_OFFSET_S = 7 * 3600
LOCAL_EPOCH = datetime(1970, 1, 1)  # naive local hours are counted from here
WEATHER_CHANNELS = {"air_temp": "temp_c", "air_rh": "rh_pct", "rain": "rain_mm", "wind_speed": "wind_m_s"}
MIN_HOURS_FOR_DAY = 18


def local_today(now_s: float) -> date:
    return datetime.fromtimestamp(now_s, ICT).date()


def weather_node(field: Field) -> Node | None:
    """The field's own weather station, else the first one on the same farm (by field, then node)."""
    own = [n for n in field.nodes if n.kind == "weather"]
    if own:
        return own[0]
    session = object_session(field)
    if session is not None and "farm" in inspect(field).unloaded:  # one query, not the farm's tree
        return session.scalars(
            select(Node)
            .join(Field, Node.field_id == Field.id)
            .where(Field.farm_id == field.farm_id, Node.kind == "weather")
            .order_by(Field.id, Node.id)
            .limit(1)
        ).first()
    farm_nodes = [n for f in field.farm.fields for n in f.nodes if n.kind == "weather"]
    return farm_nodes[0] if farm_nodes else None


def hourly_records(store: TimeSeriesStore, node_id: int, start_s: int, end_s: int) -> list[HourlyRecord]:
    """Hourly means (rain: sums) in local time; quality-flagged samples are left out, never filled."""
    # Local hour buckets by integer arithmetic (ICT has no daylight saving): the same naive local
    # hour as datetime.fromtimestamp(t, ICT) truncated to the hour, without a datetime per sample.
    sums: dict[int, dict[str, list[float]]] = {}
    by_channel = store.series_many(node_id, list(WEATHER_CHANNELS), start_s, end_s)  # one read, four channels
    for channel, name in WEATHER_CHANNELS.items():
        for p in by_channel[channel]:
            if p.value is None or p.quality:
                continue
            local = int(p.time_s) + ICT_OFFSET_S
            values = sums.setdefault(local - local % 3600, {})
            if name in values:
                values[name].append(p.value)
            else:
                values[name] = [p.value]
    out = []
    for hour in sorted(sums):
        v = sums[hour]

        def mean(name: str, values: dict[str, list[float]] = v) -> float | None:
            return sum(values[name]) / len(values[name]) if values.get(name) else None

        rain = sum(v["rain_mm"]) if v.get("rain_mm") else None
        out.append(
            HourlyRecord(
                LOCAL_EPOCH + timedelta(seconds=hour),
                mean("temp_c"),
                mean("rh_pct"),
                rain,
                None,
                mean("wind_m_s"),
            )
        )
    return out


def daily_water(records: Sequence[HourlyRecord], lat: float) -> list[DailyWater]:
    """Per local day: FAO-56 ET0 (radiation estimated from temperature) and rain, when enough hours."""
    days: dict[date, list[HourlyRecord]] = defaultdict(list)
    for r in records:
        days[r.time.date()].append(r)
    out = []
    for day, recs in sorted(days.items()):
        temps = [r.temp_c for r in recs if r.temp_c is not None]
        rhs = [r.rh_pct for r in recs if r.rh_pct is not None]
        winds = [r.wind_m_s for r in recs if r.wind_m_s is not None]
        rains = [r.rain_mm for r in recs if r.rain_mm is not None]
        et0: float | None = None
        if len(temps) >= MIN_HOURS_FOR_DAY:
            w = DailyWeather(
                day,
                max(temps),
                min(temps),
                rh_mean=sum(rhs) / len(rhs) if len(rhs) >= MIN_HOURS_FOR_DAY else None,
                wind_m_s=sum(winds) / len(winds) if len(winds) >= MIN_HOURS_FOR_DAY else None,
            )
            et0 = daily_et0(w, Site(lat_deg=lat, elevation_m=15.0)).et0_mm
        rain = sum(rains) if len(rains) >= MIN_HOURS_FOR_DAY else None
        out.append(DailyWater(day, et0, rain, rh_min_pct=min(rhs) if rhs else None))
    return out


def utc_now_s() -> int:
    return int(datetime.now(UTC).timestamp())
