"""The season profile the farmer fills in on the field screen: one form, two homes.

The crop, sowing or transplanting date, variety and expected harvest (the variety's duration, or
the day the farmer plans to harvest) are
the registry's planting record (``server/registry/plantings.py``: the ONE season record every advice
reads); the market, soil texture, irrigation method and pump flow are the field's profile
(``FieldProfile``). Saving the form writes both in one transaction and marks the profile confirmed;
until then the advice says, in words, what it assumed (``assumed_values``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from server.advisory import data_files, kc
from server.advisory.irrigation_plan import PUMP_RATE_RANGE_M3H, Method
from server.farm.compliance import MARKETS
from server.farm.models import FieldProfile
from server.registry import plantings
from server.registry.models import Field

#: The soil assumed when the farmer has not said or does not know: clay loam, the common paddy and
#: vegetable soil of the Red River delta fringe (Vĩnh Phúc's alluvial soils).
DEFAULT_SOIL = "clay_loam"
#: The farmer's answer "không biết" (I don't know): stored, and the default soil assumed and said.
UNKNOWN_SOIL = "unknown"
#: Without a planting date the advice assumes the crop is this many days in (mid-development for the
#: delta's 90-120-day crops), and says so.
DEFAULT_DAYS_AFTER_PLANTING = 40
#: How far back a season may start (a perennial orchard is recorded by its planting year elsewhere)
#: and how far ahead it may be planned (as ``PUT …/season``).
MAX_SEASON_AGE_DAYS = 3 * 365
PLAN_AHEAD_DAYS = 60
#: A variety's duration, sowing to harvest: the delta's shortest vegetables (~30 days) to long
#: rice and maize varieties and a first banana crop (~400 days).
DURATION_RANGE_DAYS = (20, 450)


def default_method(crop: str) -> Method:
    """The method assumed before the farmer says: paddy rice is flooded, everything else in the delta
    is usually furrow-irrigated."""
    try:
        return Method.FLOOD if kc.get_crop(crop).paddy else Method.FURROW
    except KeyError:
        return Method.FURROW


def soil_textures() -> list[str]:
    return list(data_files.load("soils")["textures"])


@dataclass(frozen=True)
class Used:
    """The values the advice uses today, and which of them it assumed (None: confirmed/known)."""

    planting_date: date
    soil_texture: str
    method: Method
    pump_rate_m3h: float | None
    assumed_planting: date | None
    assumed_soil: str | None
    assumed_method: Method | None
    pump_rate_missing: bool


def used_values(profile: FieldProfile | None, season: plantings.Season, today: date) -> Used:
    """What the advice runs on: the profile's values, else the defaults above (then ``assumed_*``)."""
    planting = season.planting_date or today - timedelta(days=DEFAULT_DAYS_AFTER_PLANTING)
    soil = profile.soil_texture if profile else None
    known_soil = soil if soil and soil != UNKNOWN_SOIL else None
    method_raw = profile.irrigation_method if profile else None
    method = Method(method_raw) if method_raw and method_raw in Method._value2member_map_ else None
    pump = profile.pump_rate_m3h if profile else None
    used_method = method or default_method(season.crop)
    return Used(
        planting,
        known_soil or DEFAULT_SOIL,
        used_method,
        pump,
        None if season.planting_date else planting,
        None if known_soil else DEFAULT_SOIL,
        None if method else used_method,
        pump is None and used_method is not Method.CAN and not (profile and profile.confirmed_at),
    )


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def view(db: Session, field: Field, today: date) -> dict[str, Any]:
    """The profile as the field screen's form shows it."""
    current = plantings.current_plantings(db, [field.id], today).get(field.id)
    p = db.get(FieldProfile, field.id)
    start = plantings.season_start(current) if current else None
    duration = (
        (current.expected_harvest - start).days
        if current is not None and current.expected_harvest and start
        else None
    )
    return {
        "crop": current.crop if current else field.crop,
        "date_kind": "transplanted" if current is not None and current.transplanted_on else "sown",
        "planting_date": start.isoformat() if start else None,
        "variety": current.variety if current else None,
        "duration_days": duration,
        "expected_harvest": iso(current.expected_harvest) if current else None,
        "market": p.market if p else "VN",
        "soil_texture": p.soil_texture if p else None,
        "irrigation_method": p.irrigation_method if p else None,
        "pump_rate_m3h": p.pump_rate_m3h if p else None,
        "confirmed": bool(p and p.confirmed_at),
        "soil_names": {k: v["names"] for k, v in data_files.load("soils")["textures"].items()},
        "choices": {
            "soil_texture": [*soil_textures(), UNKNOWN_SOIL],
            "irrigation_method": [m.value for m in Method],
            "market": list(MARKETS),
        },
    }


class ProfileError(ValueError):
    """A profile the server refuses, with the reason (sent as 422)."""


def _number(body: dict[str, Any], key: str, lo: float, hi: float) -> float | None:
    raw = body.get(key)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ProfileError(f"{key} must be a number") from None
    if not math.isfinite(value) or not lo <= value <= hi:
        raise ProfileError(f"{key} must be within {lo:g}-{hi:g}")
    return value


def parse(body: dict[str, Any], today: date) -> dict[str, Any]:
    """The checked form (raises ``ProfileError`` with the reason)."""
    crop_raw = body.get("crop")
    try:
        crop = kc.get_crop(str(crop_raw)).key if crop_raw else None
    except KeyError:
        raise ProfileError("unknown crop") from None
    raw_date = body.get("planting_date")
    planting: date | None = None
    if raw_date:
        try:
            planting = date.fromisoformat(str(raw_date))
        except ValueError:
            raise ProfileError("planting_date YYYY-MM-DD") from None
        if planting > today + timedelta(days=PLAN_AHEAD_DAYS):
            raise ProfileError(f"planting_date at most {PLAN_AHEAD_DAYS} days ahead")
        if planting < today - timedelta(days=MAX_SEASON_AGE_DAYS):
            raise ProfileError(f"planting_date at most {MAX_SEASON_AGE_DAYS} days ago")
    kind = str(body.get("date_kind") or "sown")
    if kind not in ("sown", "transplanted"):
        raise ProfileError("date_kind sown or transplanted")
    market = str(body.get("market") or "VN")
    if market not in MARKETS:
        raise ProfileError(f"market one of {list(MARKETS)}")
    soil = str(body.get("soil_texture") or "") or None
    if soil is not None and soil not in [*soil_textures(), UNKNOWN_SOIL]:
        raise ProfileError("unknown soil_texture")
    method = str(body.get("irrigation_method") or "") or None
    if method is not None and method not in Method._value2member_map_:
        raise ProfileError(f"irrigation_method one of {[m.value for m in Method]}")
    variety = str(body.get("variety") or "").strip()[:100] or None
    duration = _number(body, "duration_days", *DURATION_RANGE_DAYS)
    harvest = _harvest(body, planting, today)
    pump = _number(body, "pump_rate_m3h", *PUMP_RATE_RANGE_M3H)
    return {
        "crop": crop,
        "planting_date": planting,
        "date_given": "planting_date" in body,
        "date_kind": kind,
        "market": market,
        "soil_texture": soil,
        "irrigation_method": method,
        "variety": variety,
        "duration_days": None if duration is None else round(duration),
        "expected_harvest": harvest,
        "pump_rate_m3h": pump,
    }


def _harvest(body: dict[str, Any], planting: date | None, today: date) -> date | None:
    """The planned harvest day the farmer typed (None: work it out from the duration).

    It is what the forecast card's spray windows check a product's PHI against, so it must lie
    after the season start by a variety's duration range; without a start in the form it may not be
    more than a longest duration ahead of today (a harvest in the past is a finished season)."""
    raw = body.get("expected_harvest")
    if not raw:
        return None
    try:
        harvest = date.fromisoformat(str(raw))
    except ValueError:
        raise ProfileError("expected_harvest YYYY-MM-DD") from None
    lo, hi = DURATION_RANGE_DAYS
    if planting is not None and not lo <= (harvest - planting).days <= hi:
        raise ProfileError(f"expected_harvest must be {lo}-{hi} days after planting_date")
    if planting is None and not today <= harvest <= today + timedelta(days=hi):
        raise ProfileError(f"expected_harvest between today and {hi} days ahead")
    return harvest


def save(db: Session, field: Field, form: dict[str, Any], today: date, now: int) -> None:
    """Write a ``parse``d form: the planting record (audited) and the field's profile, confirmed."""
    crop = form["crop"] or plantings.seasons(db, [field], today)[field.id].crop
    current = plantings.current_plantings(db, [field.id], today).get(field.id)
    if form["date_given"] or current is None or current.crop != crop:
        planting = plantings.record_season(db, field, crop, form["planting_date"], today)
    else:  # the form left the date out: the planting keeps its dates
        planting = current
    if form["planting_date"] is not None:
        # record_season set the season start; put it on the date the farmer named (sown/transplanted)
        if form["date_kind"] == "transplanted":
            planting.transplanted_on = form["planting_date"]
            if planting.sown_on == form["planting_date"]:
                planting.sown_on = None
        else:
            planting.sown_on, planting.transplanted_on = form["planting_date"], None
    planting.variety = form["variety"]
    start = plantings.season_start(planting)
    # The day the farmer named wins; else sowing/transplanting plus the variety's duration.
    by_duration = start + timedelta(days=form["duration_days"]) if start and form["duration_days"] else None
    planting.expected_harvest = form.get("expected_harvest") or by_duration
    p = db.get(FieldProfile, field.id) or FieldProfile(field_id=field.id)
    p.market, p.soil_texture = form["market"], form["soil_texture"]
    p.irrigation_method, p.pump_rate_m3h = form["irrigation_method"], form["pump_rate_m3h"]
    p.confirmed_at = now
    db.add(p)
    db.flush()
