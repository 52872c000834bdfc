"""Root-zone soil water balance (FAO-56 Ch. 8, single-Kc form) with sensor assimilation.

Depletion Dr is tracked in mm below field capacity. A calibrated soil-moisture reading resets
Dr (FAO-56 Eq. 87); when model and sensor disagree by more than ``disagreement_threshold_mm``
the advice keeps the sensor value but flags the disagreement and lowers confidence, because
one of the two (sensor placement/calibration, or weather inputs) is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.advisory import data_files

#: Model-vs-sensor disagreement threshold as volumetric water content, m3/m3. Project rule:
#: about twice the accuracy expected from a soil-specific calibration of a low-cost capacitance
#: probe; review per site once calibration data exist.
DISAGREEMENT_THETA = 0.04


@dataclass(frozen=True)
class Soil:
    """Volumetric water content at field capacity and wilting point, m3/m3."""

    theta_fc: float
    theta_wp: float

    def __post_init__(self) -> None:
        if not 0.0 < self.theta_wp < self.theta_fc < 0.7:
            raise ValueError("need 0 < theta_wp < theta_fc < 0.7 m3/m3")


def soil_for_texture(texture: str) -> Soil:
    """Default Soil for a texture key of ``data/soils.json`` (Rawls et al. table)."""
    textures: dict[str, dict[str, Any]] = data_files.load("soils")["textures"]
    row = textures[texture]
    return Soil(theta_fc=row["theta_fc"], theta_wp=row["theta_wp"])


def total_available_water(soil: Soil, root_depth_m: float) -> float:
    """TAW in mm (FAO-56 Eq. 82)."""
    return 1000.0 * (soil.theta_fc - soil.theta_wp) * root_depth_m


def adjusted_depletion_fraction(p_table: float, etc_mm: float) -> float:
    """p corrected for evaporative demand, limited to 0.1-0.8 (FAO-56 Table 22 note)."""
    return min(max(p_table + 0.04 * (5.0 - etc_mm), 0.1), 0.8)


def readily_available_water(taw_mm: float, p: float) -> float:
    """RAW in mm (FAO-56 Eq. 83)."""
    return p * taw_mm


def water_stress_coefficient(taw_mm: float, raw_mm: float, depletion_mm: float) -> float:
    """Ks (FAO-56 Eq. 84): 1 while Dr <= RAW, then falling linearly to 0 at TAW."""
    if depletion_mm <= raw_mm:
        return 1.0
    if taw_mm <= raw_mm:
        return 0.0
    return min(max((taw_mm - depletion_mm) / (taw_mm - raw_mm), 0.0), 1.0)


def depletion_from_theta(soil: Soil, theta: float, root_depth_m: float) -> float:
    """Dr from a measured water content (FAO-56 Eq. 87), bounded to [0, TAW]."""
    dr = 1000.0 * (soil.theta_fc - theta) * root_depth_m
    return min(max(dr, 0.0), total_available_water(soil, root_depth_m))


def disagreement_threshold_mm(root_depth_m: float) -> float:
    """Depletion difference (mm) above which model and sensor are said to disagree."""
    return 1000.0 * DISAGREEMENT_THETA * root_depth_m


@dataclass(frozen=True)
class BalanceStep:
    """Result of one daily update."""

    depletion_mm: float
    deep_percolation_mm: float
    ks: float
    etc_adj_mm: float


def daily_step(
    depletion_prev_mm: float,
    *,
    taw_mm: float,
    raw_mm: float,
    etc_mm: float,
    rain_mm: float = 0.0,
    runoff_mm: float = 0.0,
    irrigation_mm: float = 0.0,
    capillary_rise_mm: float = 0.0,
) -> BalanceStep:
    """Advance Dr by one day (FAO-56 Eqs. 84, 85, 88), with ETc reduced by Ks under stress."""
    ks = water_stress_coefficient(taw_mm, raw_mm, depletion_prev_mm)
    etc_adj = ks * etc_mm
    water_in = rain_mm - runoff_mm + irrigation_mm + capillary_rise_mm
    deep_percolation = max(water_in - etc_adj - depletion_prev_mm, 0.0)  # Eq. 88
    dr = depletion_prev_mm - water_in + etc_adj + deep_percolation  # Eq. 85
    return BalanceStep(min(max(dr, 0.0), taw_mm), deep_percolation, ks, etc_adj)


@dataclass(frozen=True)
class SoilMoistureReading:
    """Root-zone volumetric water content from a node; only calibrated, unflagged values are used."""

    theta: float
    calibrated: bool
    flagged: bool = False


@dataclass(frozen=True)
class Assimilation:
    """Depletion after comparing the model with a sensor reading."""

    depletion_mm: float
    source: str  # "sensor" or "model"
    sensor_depletion_mm: float | None
    difference_mm: float | None
    threshold_mm: float
    disagrees: bool
    unusable_reason: str | None


def assimilate(
    model_depletion_mm: float, reading: SoilMoistureReading | None, soil: Soil, root_depth_m: float
) -> Assimilation:
    """Reset the model depletion from a calibrated reading (FAO-56 Eq. 87) and flag disagreement."""
    threshold = disagreement_threshold_mm(root_depth_m)
    if reading is None:
        return Assimilation(model_depletion_mm, "model", None, None, threshold, False, None)
    reason = None
    if reading.flagged:
        reason = "flagged by quality control"
    elif not reading.calibrated:
        reason = "sensor not calibrated for this soil"
    elif not 0.0 <= reading.theta <= 0.7:
        reason = f"theta {reading.theta} outside 0-0.7 m3/m3"
    if reason is not None:
        return Assimilation(model_depletion_mm, "model", None, None, threshold, False, reason)
    sensor_dr = depletion_from_theta(soil, reading.theta, root_depth_m)
    diff = abs(sensor_dr - model_depletion_mm)
    return Assimilation(sensor_dr, "sensor", sensor_dr, diff, threshold, diff > threshold, None)
