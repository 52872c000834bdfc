"""Single crop coefficients Kc per crop and growth stage (FAO-56 Ch. 6).

Crop data come from ``data/crops.json`` (one definition for the server, the app and the CLI).
The Kc curve is the FAO-56 four-stage shape: flat Kc ini, linear rise, flat Kc mid, linear
fall to Kc end (Eq. 66). Table 12 values are for a subhumid climate (RHmin 45 %, u2 2 m/s);
Eq. 62 corrects Kc mid and Kc end for other climates, which matters in the humid Red River delta.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from server.advisory import data_files

#: Reference climate of FAO-56 Table 12.
REFERENCE_RH_MIN = 45.0
REFERENCE_U2 = 2.0


class Stage(StrEnum):
    """FAO-56 growth stages, plus before planting and after the season."""

    NOT_PLANTED = "not_planted"
    INITIAL = "initial"
    DEVELOPMENT = "development"
    MID = "mid"
    LATE = "late"
    ENDED = "ended"


@dataclass(frozen=True)
class Crop:
    """One crop row of ``crops.json``; ``kc_ini`` is None where no sourced Kc exists."""

    key: str
    names: dict[str, str]  # {lang: name}, every language of the table
    kc_ini: float | None
    kc_mid: float | None
    kc_end: float | None
    h_max_m: float | None
    stage_days: tuple[int, int, int, int]
    root_depth_min_m: float | None
    root_depth_max_m: float | None
    p: float | None
    paddy: bool
    perennial: bool
    source: str
    note: str
    #: Perennials only: the crop whose annual cycle follows this one (banana 1st year -> the
    #: 2nd-year ratoon; citrus -> citrus). FAO-56 Table 11 gives the stages of one year's cycle.
    continues_as: str | None = None

    @property
    def has_kc(self) -> bool:
        """True when FAO-56 gives this crop a Kc (lychee, longan and dragon fruit have none)."""
        return self.kc_ini is not None and self.kc_mid is not None and self.kc_end is not None

    @property
    def season_days(self) -> int:
        """Total length of the four stages."""
        return sum(self.stage_days)


def _crop_from_json(key: str, row: dict[str, Any]) -> Crop:
    kc = row.get("kc")
    stages = row.get("stages") or {}
    roots = row.get("root_depth_m") or {}
    p = row.get("p") or {}
    return Crop(
        key=key,
        names=dict(row["names"]),
        kc_ini=kc["ini"] if kc else None,
        kc_mid=kc["mid"] if kc else None,
        kc_end=kc["end"] if kc else None,
        h_max_m=row.get("h_max_m"),
        stage_days=(stages.get("ini", 0), stages.get("dev", 0), stages.get("mid", 0), stages.get("late", 0)),
        root_depth_min_m=roots.get("min"),
        root_depth_max_m=roots.get("max"),
        p=p.get("value"),
        paddy=bool(row.get("paddy", False)),
        perennial=bool(row.get("perennial", False)),
        source=kc["source"] if kc else "",
        note=row.get("note", ""),
        continues_as=row.get("continues_as", key if row.get("perennial") else None),
    )


class UnknownCrop(KeyError):
    """A crop the table does not know; the web app answers it as a 400 problem."""


@cache
def _crop_table() -> dict[str, Crop]:
    table: dict[str, dict[str, Any]] = data_files.load("crops")["crops"]
    return {key: _crop_from_json(key, row) for key, row in table.items()}


def crops() -> dict[str, Crop]:
    """All crops keyed by their identifier (e.g. ``"tomato"``); built once (the file is versioned
    data), handed out as a copy so no caller can change another's table."""
    return dict(_crop_table())


def get_crop(name: str) -> Crop:
    """Find a crop by key or its name in any language of the table (case-insensitive)."""
    wanted = name.strip().casefold()
    for crop in _crop_table().values():
        if wanted in {crop.key.casefold()} | {n.casefold() for n in crop.names.values()}:
            return crop
    raise UnknownCrop(f"unknown crop {name!r}; known: {', '.join(sorted(crops()))}")


@dataclass(frozen=True)
class CyclePosition:
    """Where a day falls for a crop: the crop row of that cycle, the day in it, the cycle's year."""

    crop: Crop
    day_in_cycle: int
    year: int


def cycle_position(crop: Crop, days_after_planting: int) -> CyclePosition:
    """The cycle a day of a perennial belongs to; annual crops have one cycle (year 1).

    Why: an orchard does not "end" after its first FAO-56 cycle. FAO-56 Table 11 gives a perennial's
    stages for one year of phenology (citrus 365 d; banana 1st year 390 d, then the 2nd-year ratoon
    cycle of 365 d), so after a cycle the crop continues with ``continues_as`` from its initial stage.
    """
    current, day, year = crop, days_after_planting, 1
    while current.perennial and day >= current.season_days > 0:
        day -= current.season_days
        current = _crop_table()[current.continues_as or current.key]
        year += 1
        if year > 200:  # centuries-old orchards are not in this project; keep the loop bounded
            break
    return CyclePosition(current, day, year)


def growth_stage(crop: Crop, days_after_planting: int) -> Stage:
    """Stage on a day counted from planting (day 0); perennials start a new cycle instead of ending."""
    if days_after_planting < 0:
        return Stage.NOT_PLANTED
    if crop.perennial:
        position = cycle_position(crop, days_after_planting)
        crop, days_after_planting = position.crop, position.day_in_cycle
    ini, dev, mid, late = crop.stage_days
    bounds = ((ini, Stage.INITIAL), (ini + dev, Stage.DEVELOPMENT), (ini + dev + mid, Stage.MID))
    for end, stage in bounds:
        if days_after_planting < end:
            return stage
    if days_after_planting < ini + dev + mid + late:
        return Stage.LATE
    return Stage.ENDED


def climate_adjusted(kc_table: float, u2_m_s: float, rh_min_pct: float, height_m: float) -> float:
    """Kc mid / Kc end for climates other than RHmin 45 % and u2 2 m/s (FAO-56 Eqs. 62, 65).

    u2 is limited to 1-6 m/s and RHmin to 20-80 % as FAO-56 requires; values below 0.45 are
    not adjusted (FAO-56 Eq. 65 applies only when Kc end >= 0.45).
    """
    if kc_table < 0.45:
        return kc_table
    u2 = min(max(u2_m_s, 1.0), 6.0)
    rh_min = min(max(rh_min_pct, 20.0), 80.0)
    adjustment = (0.04 * (u2 - REFERENCE_U2) - 0.004 * (rh_min - REFERENCE_RH_MIN)) * (height_m / 3.0) ** 0.3
    return float(kc_table + adjustment)


@dataclass(frozen=True)
class KcDay:
    """Kc on one day with its stage and whether the climate correction was applied."""

    kc: float
    stage: Stage
    climate_adjusted: bool


def kc_on_day(
    crop: Crop,
    days_after_planting: int,
    *,
    u2_m_s: float | None = None,
    rh_min_pct: float | None = None,
) -> KcDay:
    """Kc for a day of the season (FAO-56 Eq. 66 ramps), climate-adjusted when u2 and RHmin are given."""
    if not crop.has_kc:
        raise ValueError(f"{crop.key}: no sourced Kc ({crop.note})")
    if crop.perennial and days_after_planting >= 0:
        position = cycle_position(crop, days_after_planting)
        crop, days_after_planting = position.crop, position.day_in_cycle
    assert crop.kc_ini is not None and crop.kc_mid is not None and crop.kc_end is not None
    kc_mid, kc_end = crop.kc_mid, crop.kc_end
    adjusted = u2_m_s is not None and rh_min_pct is not None and crop.h_max_m is not None
    if adjusted:
        assert u2_m_s is not None and rh_min_pct is not None and crop.h_max_m is not None
        kc_mid = climate_adjusted(kc_mid, u2_m_s, rh_min_pct, crop.h_max_m)
        kc_end = climate_adjusted(kc_end, u2_m_s, rh_min_pct, crop.h_max_m)
    stage = growth_stage(crop, days_after_planting)
    ini, dev, mid, late = crop.stage_days
    d = days_after_planting
    if stage in (Stage.NOT_PLANTED, Stage.ENDED):
        return KcDay(0.0, stage, adjusted)
    if stage is Stage.INITIAL:
        kc = crop.kc_ini
    elif stage is Stage.DEVELOPMENT:
        kc = crop.kc_ini + (d - ini) / dev * (kc_mid - crop.kc_ini)
    elif stage is Stage.MID:
        kc = kc_mid
    else:
        kc = kc_mid + (d - ini - dev - mid) / late * (kc_end - kc_mid)
    return KcDay(kc, stage, adjusted)


def days_after_planting(planting: date, day: date) -> int:
    """Whole days from planting (planting day = 0)."""
    return (day - planting).days


def crop_et(
    crop: Crop,
    days_after_planting: int,
    et0_mm: float,
    *,
    u2_m_s: float | None = None,
    rh_min_pct: float | None = None,
) -> tuple[float, KcDay]:
    """Crop evapotranspiration under standard conditions, ETc = Kc × ET0 (FAO-56 Eq. 56), with its Kc."""
    kc_day = kc_on_day(crop, days_after_planting, u2_m_s=u2_m_s, rh_min_pct=rh_min_pct)
    return kc_day.kc * et0_mm, kc_day
