"""Atmospheric and humidity quantities of FAO-56 Chapter 3.

Pure functions with FAO-56 equation numbers, so each step of an ET0 calculation can be
checked by hand against the worked examples of the paper (Allen et al. 1998).
"""

from __future__ import annotations

import math

#: Height (m) at which FAO-56 expects wind speed (FAO-56 Eq. 47 converts to it).
STANDARD_WIND_HEIGHT_M = 2.0


def atmospheric_pressure(elevation_m: float) -> float:
    """Atmospheric pressure in kPa from elevation (FAO-56 Eq. 7)."""
    return float(101.3 * ((293.0 - 0.0065 * elevation_m) / 293.0) ** 5.26)


def psychrometric_constant(pressure_kpa: float) -> float:
    """Psychrometric constant gamma in kPa/degC (FAO-56 Eq. 8)."""
    return 0.665e-3 * pressure_kpa


def sat_vapour_pressure(t_c: float) -> float:
    """Saturation vapour pressure e°(T) in kPa (FAO-56 Eq. 11)."""
    return 0.6108 * math.exp(17.27 * t_c / (t_c + 237.3))


def mean_sat_vapour_pressure(tmax_c: float, tmin_c: float) -> float:
    """Mean saturation vapour pressure es (FAO-56 Eq. 12); never e°(Tmean), which underestimates."""
    return (sat_vapour_pressure(tmax_c) + sat_vapour_pressure(tmin_c)) / 2.0


def slope_sat_vapour_pressure(t_c: float) -> float:
    """Slope Delta of the saturation vapour-pressure curve in kPa/degC (FAO-56 Eq. 13)."""
    return 4098.0 * sat_vapour_pressure(t_c) / (t_c + 237.3) ** 2


def ea_from_tdew(tdew_c: float) -> float:
    """Actual vapour pressure from dewpoint (FAO-56 Eq. 14): the preferred humidity input."""
    return sat_vapour_pressure(tdew_c)


def ea_from_rh_max_min(tmin_c: float, tmax_c: float, rh_max: float, rh_min: float) -> float:
    """Actual vapour pressure from RHmax and RHmin (FAO-56 Eq. 17)."""
    return (sat_vapour_pressure(tmin_c) * rh_max / 100.0 + sat_vapour_pressure(tmax_c) * rh_min / 100.0) / 2.0


def ea_from_rh_max(tmin_c: float, rh_max: float) -> float:
    """Actual vapour pressure from RHmax only (FAO-56 Eq. 18), used when RHmin is unreliable."""
    return sat_vapour_pressure(tmin_c) * rh_max / 100.0


def ea_from_rh_mean(tmin_c: float, tmax_c: float, rh_mean: float) -> float:
    """Actual vapour pressure from mean RH (FAO-56 Eq. 19), the least preferred RH form."""
    return rh_mean / 100.0 * mean_sat_vapour_pressure(tmax_c, tmin_c)


def ea_from_tmin(tmin_c: float, *, arid: bool = False) -> float:
    """Missing-humidity estimate: dewpoint ≈ Tmin (FAO-56 Eq. 48); arid sites use Tmin − 2 °C."""
    return sat_vapour_pressure(tmin_c - 2.0 if arid else tmin_c)


def wind_speed_2m(uz_m_s: float, height_m: float) -> float:
    """Convert wind speed measured at height z over short grass to 2 m (FAO-56 Eq. 47)."""
    if height_m <= 0.1:
        # 67.8 z − 5.42 must exceed 1 for the logarithmic profile to be meaningful.
        raise ValueError("wind measurement height must be above 0.1 m")
    if math.isclose(height_m, STANDARD_WIND_HEIGHT_M):
        return uz_m_s
    return uz_m_s * 4.87 / math.log(67.8 * height_m - 5.42)
