"""Soil-moisture probe calibration: pure math, the same models the node firmware evaluates.

Capacitive probes report a voltage that falls as the soil gets wetter; the node sends it as
channel ``soil_raw`` (millivolts) next to ``soil_vwc``. A calibration maps raw → volumetric water
content (m³/m³) with the firmware's ``soil_cal`` models (``firmware/lib/nodeconfig.py``):

- ``two_point``: a dry reading (oven-dried or air-dry sample of the field soil) and a wet one
  (the same soil saturated), linear between them;
- ``piecewise``: dry and wet plus soil-specific points whose water content comes from a
  gravimetric sample, interpolated linearly between neighbours.

Air/water readings give only a relative index, so the guided flow asks for readings in the field's
own soil; a gravimetric point turns it into a soil-specific calibration.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

VWC_MIN, VWC_MAX = -0.05, 0.65  # outside: the calibration does not describe this soil (as the firmware)
VWC_CLAMP = (0.0, 0.6)
DEFAULT_WET_VWC = 0.45  # saturated loam/clay loam of the delta fringe (about its porosity)
RAW_MIN_MV, RAW_MAX_MV = 150, 2450  # ESP32 ADC at 11 dB is linear only in this range


class CalibrationError(ValueError):
    """Readings that cannot make a calibration; the message says which rule they broke in English,
    ``code``/``params`` name it for the apps' i18n catalogues (``err_<code>``)."""

    def __init__(self, message: str, code: str = "calibration_invalid", **params: Any) -> None:
        super().__init__(message)
        self.code, self.params = code, params


@dataclass(frozen=True)
class Point:
    raw_mv: float
    vwc: float
    source: str  # dry | wet | gravimetric | manual


def gravimetric_vwc(wet_g: float, dry_g: float, bulk_density_g_cm3: float, tare_g: float = 0.0) -> float:
    """θv = θg · ρb / ρw from a soil sample weighed fresh and after oven-drying (105 °C, 24 h)."""
    wet, dry = wet_g - tare_g, dry_g - tare_g
    if dry <= 0 or wet < dry:
        raise CalibrationError("sample masses: need wet ≥ dry > 0 (after the container's tare)", "cal_masses")
    if not 0.8 <= bulk_density_g_cm3 <= 2.0:
        raise CalibrationError("bulk density must be between 0.8 and 2.0 g/cm³", "cal_bulk_density")
    return round((wet - dry) / dry * bulk_density_g_cm3, 4)


def _check_raw(raw: float, what: str) -> None:
    if not RAW_MIN_MV <= raw <= RAW_MAX_MV:
        raise CalibrationError(
            f"{what} reading {raw:g} mV is outside {RAW_MIN_MV}-{RAW_MAX_MV} mV: check the probe",
            "cal_raw_range",
            what=what,
            mv=raw,
            min=RAW_MIN_MV,
            max=RAW_MAX_MV,
        )


def fit(points: Sequence[Point]) -> dict[str, Any]:
    """The firmware ``soil_cal`` object for measured points (needs a dry and a wet one)."""
    dry = [p for p in points if p.source == "dry"]
    wet = [p for p in points if p.source == "wet"]
    if len(dry) != 1 or len(wet) != 1:
        raise CalibrationError("need exactly one dry and one wet reading", "cal_dry_wet")
    for p in points:
        _check_raw(p.raw_mv, p.source)
        if not 0.0 <= p.vwc <= 0.6:
            raise CalibrationError(
                f"water content {p.vwc:g} m³/m³ is outside 0-0.6", "cal_vwc_range", vwc=p.vwc
            )
    d, w = dry[0], wet[0]
    if d.raw_mv - w.raw_mv < 100:
        raise CalibrationError(
            "the dry reading must be at least 100 mV above the wet one (probe inverted?)", "cal_dry_above_wet"
        )
    if w.vwc <= d.vwc:
        raise CalibrationError("the wet sample must hold more water than the dry one", "cal_wet_water")
    extra = [p for p in points if p.source not in ("dry", "wet")]
    if not extra:
        return {
            "model": "two_point",
            "dry_uv": int(d.raw_mv * 1000),
            "wet_uv": int(w.raw_mv * 1000),
            "dry_vwc": d.vwc,
            "wet_vwc": w.vwc,
        }
    ordered = sorted(points, key=lambda p: p.raw_mv)
    for a, b in pairwise(ordered):
        if b.raw_mv <= a.raw_mv:
            raise CalibrationError("two readings have the same raw value", "cal_same_raw")
        if b.vwc > a.vwc:
            raise CalibrationError(
                "water content must fall as the raw reading rises (check the samples)", "cal_monotonic"
            )
    return {"model": "piecewise", "points": [[int(p.raw_mv * 1000), p.vwc] for p in ordered]}


def vwc_from_uv(uv: float, cal: dict[str, Any]) -> float:
    """Exactly the firmware's evaluation (firmware/drivers/soil.py)."""
    model = cal["model"]
    if model == "two_point":
        span = cal["wet_uv"] - cal["dry_uv"]
        return float(cal["dry_vwc"] + (uv - cal["dry_uv"]) * (cal["wet_vwc"] - cal["dry_vwc"]) / span)
    if model == "poly":
        v = uv / 1_000_000
        return float(sum(c * v**i for i, c in enumerate(cal["coef"])))
    pts = cal["points"]
    i = 1
    while i < len(pts) - 1 and uv > pts[i][0]:
        i += 1
    (x0, y0), (x1, y1) = pts[i - 1], pts[i]
    return float(y0 + (uv - x0) * (y1 - y0) / (x1 - x0))


def vwc(raw_mv: float, cal: dict[str, Any]) -> float | None:
    """Calibrated water content for one raw reading; None where the firmware reports out of range."""
    if not RAW_MIN_MV <= raw_mv <= RAW_MAX_MV:
        return None
    value = vwc_from_uv(raw_mv * 1000, cal)
    if not VWC_MIN <= value <= VWC_MAX:
        return None
    return round(min(max(value, VWC_CLAMP[0]), VWC_CLAMP[1]), 4)


def recompute(raw: Iterable[tuple[int, float | None]], cal: dict[str, Any]) -> list[tuple[int, float | None]]:
    """History again under another calibration: (time, raw mV) → (time, vwc or None)."""
    return [(t, None if r is None else vwc(r, cal)) for t, r in raw]
