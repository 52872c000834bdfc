"""Solar geometry and radiation terms of FAO-56 Chapter 3 (daily and hourly)."""

from __future__ import annotations

import math

#: Solar constant, MJ m-2 min-1 (FAO-56 Eq. 21).
SOLAR_CONSTANT = 0.0820
#: Stefan-Boltzmann constant, MJ K-4 m-2 day-1 (FAO-56 Eq. 39).
STEFAN_BOLTZMANN_DAY = 4.903e-9
#: Reference-grass albedo (FAO-56 Eq. 38).
GRASS_ALBEDO = 0.23
#: Angstrom coefficients when no local calibration exists (FAO-56 Eq. 35).
ANGSTROM_AS = 0.25
ANGSTROM_BS = 0.50
#: Hargreaves radiation adjustment coefficient (FAO-56 Eq. 50): interior / coastal locations.
KRS_INTERIOR = 0.16
KRS_COASTAL = 0.19


def inverse_relative_distance(doy: int) -> float:
    """Inverse relative Earth-Sun distance dr (FAO-56 Eq. 23)."""
    return 1.0 + 0.033 * math.cos(2.0 * math.pi * doy / 365.0)


def solar_declination(doy: int) -> float:
    """Solar declination in rad (FAO-56 Eq. 24)."""
    return 0.409 * math.sin(2.0 * math.pi * doy / 365.0 - 1.39)


def sunset_hour_angle(lat_rad: float, declination: float) -> float:
    """Sunset hour angle omega_s in rad (FAO-56 Eq. 25), clamped for polar day/night."""
    x = -math.tan(lat_rad) * math.tan(declination)
    return math.acos(max(-1.0, min(1.0, x)))


def extraterrestrial_radiation(lat_deg: float, doy: int) -> float:
    """Daily extraterrestrial radiation Ra in MJ m-2 day-1 (FAO-56 Eq. 21)."""
    phi = math.radians(lat_deg)
    dr = inverse_relative_distance(doy)
    dec = solar_declination(doy)
    ws = sunset_hour_angle(phi, dec)
    ra = (
        (24.0 * 60.0 / math.pi)
        * SOLAR_CONSTANT
        * dr
        * (ws * math.sin(phi) * math.sin(dec) + math.cos(phi) * math.cos(dec) * math.sin(ws))
    )
    return max(ra, 0.0)


def daylight_hours(lat_deg: float, doy: int) -> float:
    """Maximum possible sunshine duration N in hours (FAO-56 Eq. 34)."""
    ws = sunset_hour_angle(math.radians(lat_deg), solar_declination(doy))
    return 24.0 / math.pi * ws


def rs_from_sunshine(ra: float, sunshine_h: float, daylight_h: float) -> float:
    """Solar radiation from sunshine hours, Angstrom formula (FAO-56 Eq. 35)."""
    if daylight_h <= 0.0:
        return 0.0
    return (ANGSTROM_AS + ANGSTROM_BS * sunshine_h / daylight_h) * ra


def clear_sky_radiation(ra: float, elevation_m: float) -> float:
    """Clear-sky solar radiation Rso without calibrated as/bs (FAO-56 Eq. 37)."""
    return (0.75 + 2e-5 * elevation_m) * ra


def rs_from_temperature(ra: float, tmax_c: float, tmin_c: float, krs: float = KRS_INTERIOR) -> float:
    """Hargreaves radiation formula (FAO-56 Eq. 50); callers cap the result at Rso."""
    return krs * math.sqrt(max(tmax_c - tmin_c, 0.0)) * ra


def net_shortwave(rs: float, albedo: float = GRASS_ALBEDO) -> float:
    """Net solar radiation Rns (FAO-56 Eq. 38)."""
    return (1.0 - albedo) * rs


def relative_shortwave(rs: float, rso: float) -> float:
    """Rs/Rso limited to <= 1.0, as FAO-56 Eq. 39 requires."""
    if rso <= 0.0:
        return 1.0
    return min(rs / rso, 1.0)


def net_longwave_daily(tmax_c: float, tmin_c: float, ea_kpa: float, rs: float, rso: float) -> float:
    """Net outgoing longwave radiation Rnl, MJ m-2 day-1 (FAO-56 Eq. 39; K = degC + 273.16)."""
    tmax_k4 = (tmax_c + 273.16) ** 4
    tmin_k4 = (tmin_c + 273.16) ** 4
    return (
        STEFAN_BOLTZMANN_DAY
        * (tmax_k4 + tmin_k4)
        / 2.0
        * (0.34 - 0.14 * math.sqrt(ea_kpa))
        * (1.35 * relative_shortwave(rs, rso) - 0.35)
    )


def net_longwave_hourly(t_c: float, ea_kpa: float, rs_rso: float) -> float:
    """Hourly Rnl, MJ m-2 h-1: FAO-56 Eq. 39 with sigma/24 and the hourly mean temperature."""
    return (
        STEFAN_BOLTZMANN_DAY
        / 24.0
        * (t_c + 273.16) ** 4
        * (0.34 - 0.14 * math.sqrt(ea_kpa))
        * (1.35 * min(rs_rso, 1.0) - 0.35)
    )


def seasonal_correction(doy: int) -> float:
    """Seasonal correction for solar time Sc in hours (FAO-56 Eqs. 32-33)."""
    b = 2.0 * math.pi * (doy - 81) / 364.0
    return 0.1645 * math.sin(2.0 * b) - 0.1255 * math.cos(b) - 0.025 * math.sin(b)


def solar_time_angle(midpoint_h: float, doy: int, lon_east_deg: float, tz_meridian_east_deg: float) -> float:
    """Solar time angle omega at the period midpoint, rad (FAO-56 Eq. 31).

    FAO-56 writes longitudes in degrees west of Greenwich (Lz − Lm); with east-positive
    longitudes that difference is (Lm_east − Lz_east).
    """
    lz_minus_lm_west = lon_east_deg - tz_meridian_east_deg
    return math.pi / 12.0 * ((midpoint_h + 0.06667 * lz_minus_lm_west + seasonal_correction(doy)) - 12.0)


def extraterrestrial_radiation_hourly(lat_deg: float, doy: int, omega: float, period_h: float = 1.0) -> float:
    """Extraterrestrial radiation for a period (FAO-56 Eqs. 28-30); 0 when the sun is down."""
    phi = math.radians(lat_deg)
    dr = inverse_relative_distance(doy)
    dec = solar_declination(doy)
    ws = sunset_hour_angle(phi, dec)
    if omega < -ws or omega > ws:
        return 0.0
    w1 = omega - math.pi * period_h / 24.0
    w2 = omega + math.pi * period_h / 24.0
    ra = (
        (12.0 * 60.0 / math.pi)
        * SOLAR_CONSTANT
        * dr
        * (
            (w2 - w1) * math.sin(phi) * math.sin(dec)
            + math.cos(phi) * math.cos(dec) * (math.sin(w2) - math.sin(w1))
        )
    )
    return max(ra, 0.0)


def sun_is_up(lat_deg: float, doy: int, omega: float) -> bool:
    """True when the period midpoint lies between sunrise and sunset (FAO-56 Eq. 25)."""
    ws = sunset_hour_angle(math.radians(lat_deg), solar_declination(doy))
    return -ws <= omega <= ws
