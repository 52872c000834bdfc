"""The weather ahead, as advice: rain expected (for the irrigation plan), daily outlook, disease risk.

Pure functions over forecast hours (``ForecastHour``, naive local time like the advisory's
``HourlyRecord``): no HTTP, no database. ``server.weather`` fetches, validates and caches the
forecast; this module only reads it. Disease risk ahead is the existing disease models
(``server.advisory.disease.risk.assess_field``) fed with the observed hours followed by the
forecast hours, so a forecast day is judged by exactly the rules a measured day is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from server.advisory.disease.common import DiseaseRisk
from server.advisory.disease.risk import assess_field
from server.advisory.irrigation_plan import RAIN_RANGE_MM, RainAhead
from server.advisory.weather import HourlyRecord

#: "Likely" in the US National Weather Service's probability-of-precipitation wording (NWS
#: Directive 10-503: 60-70 % = "likely"): rain less likely than this is not counted on, so nobody
#: skips watering for a shower that probably will not come.
LIKELY_PCT = 60.0
#: Days of disease risk shown ahead (the forecast's useful range for the hourly disease models).
RISK_DAYS_AHEAD = 3


@dataclass(frozen=True)
class ForecastHour:
    """One forecast hour starting at ``time`` (naive local). ``rain_mm`` and ``rain_prob_pct`` are
    for this hour; None = the forecast has no value for it (never filled in)."""

    time: datetime
    temp_c: float | None
    rh_pct: float | None
    rain_mm: float | None
    rain_prob_pct: float | None
    wind_m_s: float | None
    is_day: bool | None = None

    def record(self) -> HourlyRecord:
        """The hour as the disease models read a measured one (no leaf-wetness sensor: RH rules)."""
        return HourlyRecord(self.time, self.temp_c, self.rh_pct, self.rain_mm, None, self.wind_m_s)


@dataclass(frozen=True)
class RainWindow:
    """Rain forecast over the next ``hours`` hours: total, highest hourly probability, coverage."""

    hours: int
    rain_mm: float
    probability_pct: float | None
    hours_covered: int

    def as_json(self) -> dict[str, Any]:
        return {
            "hours": self.hours,
            "rain_mm": round(self.rain_mm, 1),
            "probability_pct": None if self.probability_pct is None else round(self.probability_pct),
            "hours_covered": self.hours_covered,
        }


@dataclass(frozen=True)
class RainOutlook:
    """Rain forecast for the next 24 h and 48 h. Whether to hold irrigation is decided in one place,
    the irrigation plan (``server.advisory.irrigation_plan.plan``), from ``for_plan()``: the rain
    that can be counted on (likely, or given without a probability)."""

    next_24h: RainWindow
    next_48h: RainWindow

    @staticmethod
    def _counted(w: RainWindow) -> float:
        likely = w.probability_pct is None or w.probability_pct >= LIKELY_PCT
        # each hour is within physical limits (server.weather.openmeteo); the plan's own bound on a
        # total is met by capping, so an extreme but valid forecast never stops the advice
        return min(round(w.rain_mm, 1), RAIN_RANGE_MM[1]) if likely and w.hours_covered else 0.0

    def for_plan(self) -> RainAhead:
        """The irrigation plan's input: the likely rain of the next 24 h and 48 h, in mm."""
        return RainAhead(self._counted(self.next_24h), self._counted(self.next_48h))

    def as_json(self) -> dict[str, Any]:
        counted = self.for_plan()
        return {
            "next_24h": self.next_24h.as_json() | {"counted_mm": counted.next_24h_mm},
            "next_48h": self.next_48h.as_json() | {"counted_mm": counted.next_48h_mm},
            "likely_pct": LIKELY_PCT,
        }


def hour_start(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def _window(hours: Sequence[ForecastHour], start: datetime, length: int) -> RainWindow:
    end = start + timedelta(hours=length)
    inside = [h for h in hours if start <= h.time < end]
    amounts = [h.rain_mm for h in inside if h.rain_mm is not None]
    probs = [h.rain_prob_pct for h in inside if h.rain_prob_pct is not None]
    return RainWindow(length, sum(amounts), max(probs) if probs else None, len(amounts))


def rain_ahead(hours: Sequence[ForecastHour], now: datetime) -> RainOutlook | None:
    """Rain expected in the next 24 h and 48 h from the current hour, with its highest hourly
    probability; None without forecast hours ahead (the advice then says there is no forecast)."""
    start = hour_start(now)
    if not any(h.time >= start for h in hours):
        return None
    return RainOutlook(_window(hours, start, 24), _window(hours, start, 48))


def daily_outlook(hours: Sequence[ForecastHour], first: date, days: int) -> list[dict[str, Any]]:
    """Per local day from ``first``: lowest/highest temperature, rain total and its highest hourly
    probability, strongest wind; days the forecast does not reach are left out."""
    out = []
    for i in range(days):
        d = first + timedelta(days=i)
        hs = [h for h in hours if h.time.date() == d]
        if not hs:
            continue
        temps = [h.temp_c for h in hs if h.temp_c is not None]
        rain = [h.rain_mm for h in hs if h.rain_mm is not None]
        probs = [h.rain_prob_pct for h in hs if h.rain_prob_pct is not None]
        winds = [h.wind_m_s for h in hs if h.wind_m_s is not None]
        out.append(
            {
                "day": d.isoformat(),
                "tmin_c": round(min(temps), 1) if temps else None,
                "tmax_c": round(max(temps), 1) if temps else None,
                "rain_mm": round(sum(rain), 1) if rain else None,
                "rain_probability_pct": round(max(probs)) if probs else None,
                "wind_max_m_s": round(max(winds), 1) if winds else None,
                "hours": len(hs),
            }
        )
    return out


def merged_records(observed: Sequence[HourlyRecord], hours: Sequence[ForecastHour]) -> list[HourlyRecord]:
    """Measured hours first; forecast hours only where nothing was measured (the sensor wins)."""
    seen = {r.time.replace(minute=0, second=0, microsecond=0) for r in observed}
    ahead = [h.record() for h in hours if h.time not in seen]
    return sorted([*observed, *ahead], key=lambda r: r.time)


def risk_ahead(
    field_id: str,
    crop_key: str,
    observed: Sequence[HourlyRecord],
    hours: Sequence[ForecastHour],
    today: date,
    *,
    since: date | None = None,
    days: int = RISK_DAYS_AHEAD,
) -> list[tuple[date, list[DiseaseRisk]]]:
    """Disease risk of the field's crop on each of the ``days`` days after ``today``, from the
    existing models on measured + forecast hours; a day the forecast does not cover is left out."""
    records = merged_records(observed, hours)
    covered = {h.time.date() for h in hours}
    out = []
    for i in range(1, days + 1):
        d = today + timedelta(days=i)
        if d in covered:
            out.append((d, assess_field(field_id, crop_key, records, d, since=since)))
    return out
