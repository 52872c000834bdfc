"""A field's data from the time-series store: its weather station and the station's readings.

The readings come in one read (``read_weather``) and feed both the hourly records of the disease
models (``hourly_records``) and the field-day service (``server.farm.fieldday``), so the home screen,
the officer map and the daily job all start from the same points.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, select
from sqlalchemy.orm import object_session

from common import timezone
from common.channels import STATION_CHANNELS
from common.timezone import local_today
from server.advisory.weather import HourlyRecord
from server.registry.models import Field, Node
from server.timeseries.base import SeriesPoint, TimeSeriesStore

__all__ = ["local_today"]  # the farm's "today", re-exported from common.timezone for the callers here

ICT_OFFSET_S = timezone.UTC_OFFSET_S  # an alias of common.timezone's, for callers not moved yet
#: The channels a station lends to the farm's other fields: the catalogue's weather and disease ones.
WEATHER_CHANNELS = STATION_CHANNELS
#: Station channel -> the hourly record's field (leaf wetness: % of the hour wet -> wet minutes).
HOURLY_FIELDS = {
    "air_temp": "temp_c",
    "air_rh": "rh_pct",
    "rain": "rain_mm",
    "wind_speed": "wind_m_s",
    "leaf_wetness": "leaf_wetness_min",
}
MINUTES_PER_PERCENT = 60 / 100  # leaf_wetness is % of the sample interval wet (common.channels)
WeatherPoints = dict[str, list[SeriesPoint]]


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


def read_weather(store: TimeSeriesStore, node_id: int, start_s: int, end_s: int) -> WeatherPoints:
    """The station's weather and leaf-wetness channels from ``start_s`` to ``end_s`` (both
    included, as the stores read): one store read."""
    wanted = sorted(STATION_CHANNELS)
    got = store.series_many(node_id, wanted, start_s, end_s)
    return {ch: got.get(ch, []) for ch in wanted}


def good(points: list[SeriesPoint]) -> list[tuple[int, float]]:
    """(time, value) of the usable samples: quality-flagged and failed ones are left out, never filled."""
    return [(p.time_s, p.value) for p in points if p.value is not None and not p.quality]


def hourly_records(points: WeatherPoints) -> list[HourlyRecord]:
    """Hourly means (rain: sums; leaf wetness: wet minutes) in naive local time."""
    # Local hour buckets by integer arithmetic (no daylight saving: common.timezone): the same naive
    # local hour as datetime.fromtimestamp(t, LOCAL) truncated to the hour, without a datetime each.
    offset = timezone.UTC_OFFSET_S
    sums: dict[int, dict[str, list[float]]] = {}
    for channel, name in HOURLY_FIELDS.items():
        for t, value in good(points.get(channel, [])):
            local = t + offset
            sums.setdefault(local - local % 3600, {}).setdefault(name, []).append(value)
    out = []
    for hour in sorted(sums):
        v = sums[hour]

        def mean(name: str, values: dict[str, list[float]] = v) -> float | None:
            return sum(values[name]) / len(values[name]) if values.get(name) else None

        wet = mean("leaf_wetness_min")
        out.append(
            HourlyRecord(
                timezone.naive_local(hour - offset),
                mean("temp_c"),
                mean("rh_pct"),
                sum(v["rain_mm"]) if v.get("rain_mm") else None,
                None if wet is None else wet * MINUTES_PER_PERCENT,
                mean("wind_m_s"),
            )
        )
    return out


def utc_now_s() -> int:
    return int(datetime.now(UTC).timestamp())
