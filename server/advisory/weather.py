"""Hourly weather records and per-day summaries used by the disease models.

Missing or QC-flagged values are kept as "missing", never filled: each day summary counts the
hours actually covered, so a model can tell "no risk" from "no data".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from server.advisory import wetness

HOURS_PER_DAY = 24


@dataclass(frozen=True)
class HourlyRecord:
    """One hour from a node or station. ``flagged`` names fields that failed quality control."""

    time: datetime
    temp_c: float | None
    rh_pct: float | None
    rain_mm: float | None = None
    leaf_wetness_min: float | None = None
    wind_m_s: float | None = None
    flagged: frozenset[str] = field(default_factory=frozenset)

    def get(self, name: str) -> float | None:
        """Value of a field, or None when missing or flagged."""
        if name in self.flagged:
            return None
        value: float | None = getattr(self, name)
        return value


@dataclass(frozen=True)
class DaySummary:
    """Hour-based statistics of one calendar day (local time of the records)."""

    day: date
    covered_hours: int
    wet_hours: int
    longest_wet_run: int
    wet_times: tuple[datetime, ...]
    mean_temp_wet_c: float | None
    humid_hours: int  # RH >= 90 %
    humid_times: tuple[datetime, ...]
    mean_temp_humid_c: float | None
    tmin_c: float | None
    tmax_c: float | None
    tmean_c: float | None
    rh_mean_pct: float | None
    rain_mm: float
    max_wind_m_s: float | None
    wetness_source: str
    pessimistic: bool = False

    @property
    def missing_hours(self) -> int:
        """Hours of the day without a usable temperature and humidity/wetness value."""
        return HOURS_PER_DAY - self.covered_hours

    def worst_case(self) -> DaySummary:
        """The same day with every missing hour assumed wet and humid (upper bound of risk).

        Missing hours are given the mean temperature of the hours received.
        """
        m = self.missing_hours
        return replace(
            self,
            mean_temp_wet_c=self.mean_temp_wet_c if self.mean_temp_wet_c is not None else self.tmean_c,
            mean_temp_humid_c=self.mean_temp_humid_c if self.mean_temp_humid_c is not None else self.tmean_c,
            wet_hours=self.wet_hours + m,
            longest_wet_run=min(HOURS_PER_DAY, self.longest_wet_run + m),
            humid_hours=self.humid_hours + m,
            pessimistic=True,
        )


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise_day(
    day: date, records: Iterable[HourlyRecord], rh_threshold: float = wetness.RH_WET_THRESHOLD
) -> DaySummary:
    """Summarise the records of ``day`` (other days are ignored; duplicate hours count once)."""
    by_hour: dict[int, HourlyRecord] = {}
    for record in records:
        if record.time.date() == day:
            by_hour.setdefault(record.time.hour, record)
    covered = 0
    wet_times: list[datetime] = []
    wet_temps: list[float] = []
    humid_times: list[datetime] = []
    humid_temps: list[float] = []
    temps: list[float] = []
    rhs: list[float] = []
    winds: list[float] = []
    rain = 0.0
    run = longest = 0
    sources: set[str] = set()
    for hour in range(HOURS_PER_DAY):
        rec = by_hour.get(hour)
        t = rec.get("temp_c") if rec else None
        rh = rec.get("rh_pct") if rec else None
        wet = wetness.hour_is_wet(rec, rh_threshold) if rec else None
        if rec is not None:
            rain += rec.get("rain_mm") or 0.0
            wind = rec.get("wind_m_s")
            if wind is not None:
                winds.append(wind)
        if t is None or wet is None:
            run = 0
            continue
        covered += 1
        temps.append(t)
        assert rec is not None
        sources.add(wetness.wetness_source(rec))
        if rh is not None:
            rhs.append(rh)
            if rh >= rh_threshold:
                humid_times.append(rec.time)
                humid_temps.append(t)
        if wet:
            wet_times.append(rec.time)
            wet_temps.append(t)
            run += 1
            longest = max(longest, run)
        else:
            run = 0
    return DaySummary(
        day=day,
        covered_hours=covered,
        wet_hours=len(wet_times),
        longest_wet_run=longest,
        wet_times=tuple(wet_times),
        mean_temp_wet_c=_mean(wet_temps),
        humid_hours=len(humid_times),
        humid_times=tuple(humid_times),
        mean_temp_humid_c=_mean(humid_temps),
        tmin_c=min(temps) if temps else None,
        tmax_c=max(temps) if temps else None,
        tmean_c=_mean(temps),
        rh_mean_pct=_mean(rhs),
        rain_mm=rain,
        max_wind_m_s=max(winds) if winds else None,
        wetness_source="+".join(sorted(sources)) or "none",
    )
