"""Rice diseases: blast (đạo ôn), sheath blight (khô vằn) and bacterial leaf blight (bạc lá).

Temperature multipliers are the EPIRICE curves (Savary et al. 2012, as in the epicrop package),
interpolated linearly; an EPIRICE "wet day" has mean RH >= 90 % or rain >= 5 mm. Level rules
combine them with the published field conditions cited on each constant.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from server.advisory.disease.common import ModelOutput, RiskLevel
from server.advisory.weather import DaySummary

# EPIRICE temperature multipliers (°C, factor).
BLAST_TEMP: tuple[tuple[float, float], ...] = (
    (10, 0.0),
    (15, 0.5),
    (20, 1.0),
    (25, 0.6),
    (30, 0.2),
    (35, 0.05),
    (40, 0.01),
    (45, 0.0),
)
SHEATH_BLIGHT_TEMP: tuple[tuple[float, float], ...] = (
    (12, 0.0),
    (16, 0.42),
    (20, 0.94),
    (24, 0.94),
    (28, 1.0),
    (32, 0.85),
    (36, 0.64),
    (40, 0.0),
)
BLB_TEMP: tuple[tuple[float, float], ...] = (
    (16, 0.0),
    (19, 0.29),
    (22, 0.44),
    (25, 0.90),
    (28, 0.90),
    (31, 1.0),
    (34, 0.88),
    (37, 0.01),
    (40, 0.0),
)
#: EPIRICE wet day.
WET_DAY_RH = 90.0
WET_DAY_RAIN_MM = 5.0
#: Blast infection: continuous leaf wetness > 10 h (KALRO rice-disease factsheet).
BLAST_WET_RUN_H = 10
#: Night-temperature rule: Tmin 20-26 °C with RH >= 90 % for >= 7 days (Rice Knowledge Management Portal).
#: "RH >= 90 %" must last long enough to infect: each of those days needs the KALRO wet period
#: (> 10 h continuous wetness, ``BLAST_WET_RUN_H``), not a single humid hour.
BLAST_NIGHT_TMIN = (20.0, 26.0)
BLAST_NIGHT_DAYS = 7
#: Sheath-blight lesion growth relative to 100 % RH at 25 °C (Hashiba et al. 1982); none measured below 86 %.
SHEATH_BLIGHT_RH: tuple[tuple[float, float], ...] = (
    (86, 0.38),
    (90, 0.87),
    (95, 0.96),
    (98, 0.99),
    (100, 1.0),
)
#: Bacterial leaf blight favourable window: 25-34 °C with RH > 70 % (KALRO; Vietnamese extension pages).
BLB_TEMP_RANGE = (25.0, 34.0)
BLB_RH = 70.0
#: Storm proxies for BLB spread (project rules): "heavy rain" class of Vietnamese forecasts (> 50 mm/day)
#: and a strong breeze (Beaufort 6, >= 10.8 m/s).
STORM_RAIN_MM = 50.0
STORM_WIND_M_S = 10.8


def interpolate(points: Sequence[tuple[float, float]], x: float) -> float:
    """Piecewise-linear curve through ``points``; 0 outside them."""
    if x < points[0][0] or x > points[-1][0]:
        return 0.0
    for (x0, y0), (x1, y1) in pairwise(points):
        if x0 <= x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def wet_day(day: DaySummary) -> bool:
    """EPIRICE wet day."""
    return (day.rh_mean_pct is not None and day.rh_mean_pct >= WET_DAY_RH) or day.rain_mm >= WET_DAY_RAIN_MM


def _night_rule(days: Sequence[DaySummary]) -> bool:
    recent = days[-BLAST_NIGHT_DAYS:]
    if len(recent) < BLAST_NIGHT_DAYS:
        return False
    low, high = BLAST_NIGHT_TMIN
    warm_nights = all(d.tmin_c is not None and low <= d.tmin_c <= high for d in recent)
    return warm_nights and all(d.longest_wet_run > BLAST_WET_RUN_H for d in recent)


def evaluate_blast(days: Sequence[DaySummary]) -> ModelOutput | None:
    """Leaf blast risk for the last day."""
    today = days[-1]
    if today.tmean_c is None:
        return None
    factor = interpolate(BLAST_TEMP, today.tmean_c)
    infection = today.longest_wet_run > BLAST_WET_RUN_H
    wet = wet_day(today)
    night = _night_rule(days)
    if (infection and factor >= 0.5) or night:
        level = RiskLevel.HIGH
    elif (infection and factor > 0) or (wet and factor >= 0.5):
        level = RiskLevel.MODERATE
    elif factor > 0 and (wet or today.wet_hours > 0):
        level = RiskLevel.LOW
    else:
        level = RiskLevel.NONE
    score = factor * (1.0 if infection else 0.5 if wet else 0.0)
    return ModelOutput(
        level,
        round(score, 2),
        today.wet_times,
        {
            "temperature_factor": round(factor, 3),
            "longest_wet_run_h": today.longest_wet_run,
            "infection_period": infection,
            "wet_day": wet,
            "night_temperature_rule": night,
            "tmean_c": today.tmean_c,
        },
    )


def evaluate_sheath_blight(days: Sequence[DaySummary]) -> ModelOutput | None:
    """Sheath blight risk for the last day: temperature factor x humidity factor."""
    today = days[-1]
    if today.tmean_c is None or today.rh_mean_pct is None:
        return None
    t_factor = interpolate(SHEATH_BLIGHT_TEMP, today.tmean_c)
    rh = min(today.rh_mean_pct, 100.0)
    rh_factor = 0.0 if rh < SHEATH_BLIGHT_RH[0][0] else interpolate(SHEATH_BLIGHT_RH, rh)
    # Wet days count as saturated canopy (EPIRICE wet-day rule).
    if wet_day(today):
        rh_factor = max(rh_factor, 0.87)
    score = t_factor * rh_factor
    if wet_day(today) and score >= 0.8:
        level = RiskLevel.HIGH
    elif score >= 0.5:
        level = RiskLevel.MODERATE
    elif score > 0:
        level = RiskLevel.LOW
    else:
        level = RiskLevel.NONE
    return ModelOutput(
        level,
        round(score, 2),
        today.humid_times,
        {
            "temperature_factor": round(t_factor, 3),
            "humidity_factor": round(rh_factor, 3),
            "wet_day": wet_day(today),
        },
    )


def evaluate_blb(days: Sequence[DaySummary]) -> ModelOutput | None:
    """Bacterial leaf blight risk for the last day."""
    today = days[-1]
    if today.tmean_c is None or today.rh_mean_pct is None:
        return None
    factor = interpolate(BLB_TEMP, today.tmean_c)
    low, high = BLB_TEMP_RANGE
    favourable = low <= today.tmean_c <= high and today.rh_mean_pct > BLB_RH
    storm = today.rain_mm >= STORM_RAIN_MM or (
        today.max_wind_m_s is not None and today.max_wind_m_s >= STORM_WIND_M_S
    )
    if favourable and storm:
        level = RiskLevel.HIGH
    elif favourable and wet_day(today):
        level = RiskLevel.MODERATE
    elif favourable:
        level = RiskLevel.LOW
    else:
        level = RiskLevel.NONE
    return ModelOutput(
        level,
        round(factor, 2),
        today.wet_times,
        {
            "temperature_factor": round(factor, 3),
            "favourable": favourable,
            "storm": storm,
            "rain_mm": today.rain_mm,
        },
    )
