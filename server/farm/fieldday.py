"""ONE field-day service: ET0, rain, GDD, leaf-wetness hours and crop water use (Kc, ETc) of a field
on a local day — the numbers the home screen shows, the irrigation advice balances and the daily
job (``farm server daily``) stores.

Why one: the home screen and the daily job each computed ET0 for the same field and day, from
different inputs (hourly means vs daily rollups, different latitude and elevation), and answered
differently. Both now read the station's samples (``fielddata.read_weather``) and call ``field_days``;
``tests/mobile_api/test_field_day.py`` holds the home screen to the job's stored values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from common import timezone
from server.advisory import kc, wetness
from server.advisory.errors import AdvisoryInputError
from server.advisory.et0 import DailyWeather, Site, daily_et0
from server.advisory.irrigation import DailyWater
from server.advisory.weather import HourlyRecord
from server.farm.fielddata import WeatherPoints, good, hourly_records
from server.registry.plantings import Season
from server.timeseries.base import DailyValue

#: A day needs samples in this many local hours to count (FAO-56 Ch. 3 asks for complete days;
#: 18 of 24 hours keeps a day with a short gateway outage, never one with most of it missing).
MIN_HOURS_FOR_DAY = 18
#: Base temperature for growing degree-days: 10 °C, the usual base for rice and maize; daily GDD by
#: McMaster & Wilhelm (1997, Agric. For. Meteorol. 87: 291-300), method 1: max(0, Tmean - Tbase).
GDD_BASE_C = 10.0
#: Mean irradiance over a day (W/m²) to daily radiation (MJ/m²/day): 86,400 s × 1e-6 (FAO-56 Annex 1).
WM2_DAY_TO_MJ = 0.0864
#: The farms' elevation for FAO-56 Eq. 7 (pressure): Vĩnh Phúc's delta plain lies about 10-20 m a.s.l.;
#: ET0 changes by well under 1 % across that range.
ELEVATION_M = 15.0


@dataclass(frozen=True)
class FieldDay:
    """One field's local day; a value is None when its inputs covered too few hours (never guessed)."""

    field_id: int
    day: date
    hours: int  # local hours with an air temperature sample
    et0_mm: float | None
    rain_mm: float | None
    gdd: float | None
    leaf_wet_h: int | None
    wetness_source: str | None  # "sensor" (leaf-wetness channel) | "rh_estimate"
    kc: float | None
    stage: str | None  # FAO-56 growth stage from the season's planting date
    etc_mm: float | None
    et0_estimated: tuple[str, ...] = ()
    u2_m_s: float | None = None
    rh_min_pct: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "hours": self.hours,
            "et0_mm": self.et0_mm,
            "rain_mm": self.rain_mm,
            "gdd": self.gdd,
            "leaf_wet_h": self.leaf_wet_h,
            "wetness_source": self.wetness_source,
            "kc": self.kc,
            "stage": self.stage,
            "etc_mm": self.etc_mm,
            "et0_estimated": list(self.et0_estimated),
        }

    def daily_values(self) -> list[DailyValue]:
        """The values the daily job stores (only those known)."""
        named = {
            "et0_mm": self.et0_mm,
            "rain_mm": self.rain_mm,
            "gdd": self.gdd,
            "leaf_wet_h": self.leaf_wet_h,
            "etc_mm": self.etc_mm,
        }
        return [DailyValue(self.field_id, self.day, k, float(v)) for k, v in named.items() if v is not None]

    def water(self) -> DailyWater:
        """The day as the irrigation water balance reads it."""
        return DailyWater(
            self.day,
            self.et0_mm,
            self.rain_mm,
            et0_estimated=self.et0_estimated,
            u2_m_s=self.u2_m_s,
            rh_min_pct=self.rh_min_pct,
        )


def _by_day(points: WeatherPoints, channel: str) -> dict[date, list[tuple[int, float]]]:
    out: dict[date, list[tuple[int, float]]] = defaultdict(list)
    for t, v in good(points.get(channel, [])):
        out[timezone.local_date(t)].append((t, v))
    return out


def _hours(samples: list[tuple[int, float]]) -> int:
    return len({(t + timezone.UTC_OFFSET_S) // 3600 for t, _ in samples})


def _mean(samples: list[tuple[int, float]]) -> float | None:
    return sum(v for _, v in samples) / len(samples) if samples else None


def _season_kc(season: Season | None, day: date, et0: float | None, u2: float | None, rh_min: float | None
               ) -> tuple[float | None, str | None, float | None]:  # fmt: skip
    """Kc, stage and ETc (FAO-56 Eq. 56, Kc from Eq. 66 ramps, climate-adjusted by Eq. 62) when the
    season's crop has a sourced Kc and a planting date; else (None, None, None)."""
    if season is None or season.planting_date is None:
        return None, None, None
    try:
        crop = kc.get_crop(season.crop)
    except KeyError:
        return None, None, None
    if not crop.has_kc:
        return None, None, None
    dap = kc.days_after_planting(season.planting_date, day)
    k = kc.kc_on_day(crop, dap, u2_m_s=u2, rh_min_pct=rh_min)
    etc = None if et0 is None else round(k.kc * et0, 2)
    return round(k.kc, 3), k.stage.value, etc


Samples = list[tuple[int, float]]


def _et0(day: date, temps: Samples, rhs: Samples, winds: Samples, rs: Samples, lat: float
         ) -> tuple[float | None, tuple[str, ...], float | None]:  # fmt: skip
    """FAO-56 Penman-Monteith ET0 (what is missing estimated per FAO-56 Ch. 3) and the day's GDD."""
    if _hours(temps) < MIN_HOURS_FOR_DAY:
        return None, (), None
    tmax, tmin = max(v for _, v in temps), min(v for _, v in temps)  # FAO-56 Ch. 3: the daily extremes
    gdd = round(max(0.0, (tmax + tmin) / 2 - GDD_BASE_C), 2)
    rh_ok = _hours(rhs) >= MIN_HOURS_FOR_DAY
    rs_mean = _mean(rs) if _hours(rs) >= MIN_HOURS_FOR_DAY else None
    weather = DailyWeather(
        day,
        tmax,
        tmin,
        rh_max=max(v for _, v in rhs) if rh_ok else None,  # FAO-56 Eq. 17 (from RHmax and RHmin)
        rh_min=min(v for _, v in rhs) if rh_ok else None,
        wind_m_s=_mean(winds) if _hours(winds) >= MIN_HOURS_FOR_DAY else None,
        rs_mj_m2=None if rs_mean is None else rs_mean * WM2_DAY_TO_MJ,
    )
    try:
        result = daily_et0(weather, Site(lat_deg=lat, elevation_m=ELEVATION_M))
    except AdvisoryInputError:  # an impossible day (flags missed it): no number rather than a wrong one
        return None, (), gdd
    return round(result.et0_mm, 2), result.estimated, gdd


def field_days(
    field_id: int,
    points: WeatherPoints,
    lat: float,
    season: Season | None,
    days: Sequence[date],
    hourly: Sequence[HourlyRecord] | None = None,
) -> list[FieldDay]:
    """The field's ``days`` from its station's samples (``fielddata.read_weather``); ``hourly``:
    ``fielddata.hourly_records(points)`` when the caller has them already."""
    by = {ch: _by_day(points, ch) for ch in ("air_temp", "air_rh", "wind_speed", "rain", "solar_radiation")}
    hourly_by_day: dict[date, list[HourlyRecord]] = defaultdict(list)
    for rec in hourly_records(points) if hourly is None else hourly:
        hourly_by_day[rec.time.date()].append(rec)
    out = []
    for day in days:
        temps, rhs, winds = (
            by["air_temp"].get(day, []),
            by["air_rh"].get(day, []),
            by["wind_speed"].get(day, []),
        )
        et0, estimated, gdd = _et0(day, temps, rhs, winds, by["solar_radiation"].get(day, []), lat)
        u2 = _mean(winds) if _hours(winds) >= MIN_HOURS_FOR_DAY else None
        rh_min = min(v for _, v in rhs) if _hours(rhs) >= MIN_HOURS_FOR_DAY else None
        rains = by["rain"].get(day, [])
        rain_mm = round(sum(v for _, v in rains), 2) if _hours(rains) >= MIN_HOURS_FOR_DAY else None
        recs = hourly_by_day.get(day, [])
        wet = [w for r in recs if (w := wetness.hour_is_wet(r)) is not None]
        leaf_wet_h = sum(wet) if len(wet) >= MIN_HOURS_FOR_DAY else None
        source = wetness.wetness_source(recs[-1]) if recs else None
        k, stage, etc = _season_kc(season, day, et0, u2, rh_min)
        out.append(
            FieldDay(
                field_id,
                day,
                _hours(temps),
                et0,
                rain_mm,
                gdd,
                leaf_wet_h,
                source,
                k,
                stage,
                etc,
                estimated,
                u2,
                rh_min,
            )
        )
    return out


def local_days(start_s: int, end_s: int) -> list[date]:
    """Every local day from the one containing ``start_s`` to the one containing ``end_s``."""
    first, last = timezone.local_date(start_s), timezone.local_date(end_s)
    return [date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1)]
