"""Reference evapotranspiration ET0 (FAO-56 Penman-Monteith, Hargreaves) with honest fallbacks.

Why this module exists: sensor nodes in Vĩnh Phúc often lack a pyranometer or an anemometer,
and humidity sensors fail. FAO-56 Chapter 3 ("Estimating missing climatic data") says to keep
using Penman-Monteith with estimated inputs rather than switching equations, so
``daily_et0`` estimates what is missing and reports *which* inputs were estimated and how.
Hargreaves (Eq. 52) is used only when asked for, or as a last resort when the site elevation
is unknown (Penman-Monteith needs pressure from elevation, Eq. 7).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from common.timezone import UTC_OFFSET_H
from server.advisory import meteo, plausibility, solar
from server.advisory.errors import AdvisoryInputError

#: Wind speed assumed when none is measured: FAO-56 Ch. 3 "missing wind speed data" (2 m/s global average).
DEFAULT_WIND_M_S = 2.0
#: Rs/Rso at night for the hourly Rnl when no earlier daytime ratio is known; FAO-56 Ch. 4
#: gives 0.4-0.6 for humid/subhumid climates (northern Vietnam is humid).
DEFAULT_NIGHT_RS_RSO = 0.5


class Et0Method(StrEnum):
    """How ET0 was computed."""

    FAO56_PM = "fao56-pm"
    HARGREAVES = "hargreaves"


@dataclass(frozen=True)
class Site:
    """Where ET0 is computed. Longitudes are degrees east; ``utc_offset_h`` 7 is Vietnam (ICT)."""

    lat_deg: float
    elevation_m: float | None = None
    lon_deg: float | None = None
    utc_offset_h: float = UTC_OFFSET_H  # the farms' civil time (common.timezone)
    krs: float = solar.KRS_INTERIOR
    arid: bool = False


@dataclass(frozen=True)
class DailyWeather:
    """One day of weather; any of humidity, wind and radiation may be missing (None)."""

    day: date
    tmax_c: float
    tmin_c: float
    rh_max: float | None = None
    rh_min: float | None = None
    rh_mean: float | None = None
    tdew_c: float | None = None
    ea_kpa: float | None = None
    wind_m_s: float | None = None
    wind_height_m: float = meteo.STANDARD_WIND_HEIGHT_M
    sunshine_h: float | None = None
    rs_mj_m2: float | None = None
    #: Daily soil heat flux; FAO-56 Eq. 42 says G ≈ 0 for day-long periods.
    soil_heat_flux_mj_m2: float = 0.0


@dataclass(frozen=True)
class Et0Terms:
    """Intermediate values, named with their units, for hand checks."""

    tmean_c: float
    ra_mj_m2: float
    pressure_kpa: float | None = None
    gamma_kpa_per_c: float | None = None
    delta_kpa_per_c: float | None = None
    es_kpa: float | None = None
    ea_kpa: float | None = None
    u2_m_s: float | None = None
    daylight_hours: float | None = None
    rs_mj_m2: float | None = None
    rso_mj_m2: float | None = None
    rns_mj_m2: float | None = None
    rnl_mj_m2: float | None = None
    rn_mj_m2: float | None = None
    g_mj_m2: float | None = None


@dataclass(frozen=True)
class Et0Result:
    """ET0 with the method used, what was estimated and the intermediate terms."""

    et0_mm: float
    method: Et0Method
    terms: Et0Terms
    estimated: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready form; keys carry units."""
        return {
            "et0_mm": round(self.et0_mm, 3),
            "method": self.method.value,
            "estimated": list(self.estimated),
            "sources": dict(self.sources),
            "notes": list(self.notes),
            "terms": {k: (None if v is None else round(v, 4)) for k, v in asdict(self.terms).items()},
        }


def _check_range(name: str, value: float | None, low: float, high: float) -> None:
    if value is None:
        return
    if not math.isfinite(value) or not low <= value <= high:
        raise AdvisoryInputError(f"{name}={value} outside [{low}, {high}]")


def validate_daily(weather: DailyWeather, site: Site) -> None:
    """Reject physically impossible inputs instead of computing a confident wrong number.

    The limits and their wording live in ``server.advisory.plausibility`` (shared with the HTTP
    API); this names the fields of a ``DailyWeather``."""
    values = {name: getattr(weather, name) for name in plausibility.LIMITS if hasattr(weather, name)}
    plausibility.check_day(weather.day, site.lat_deg, site.elevation_m, values)


def penman_monteith_daily(
    delta: float, gamma: float, rn: float, g: float, tmean_c: float, u2: float, es: float, ea: float
) -> float:
    """FAO-56 Penman-Monteith for daily steps, mm/day (FAO-56 Eq. 6)."""
    num = 0.408 * delta * (rn - g) + gamma * 900.0 / (tmean_c + 273.0) * u2 * (es - ea)
    return num / (delta + gamma * (1.0 + 0.34 * u2))


def hargreaves(tmax_c: float, tmin_c: float, ra_mj_m2: float) -> float:
    """Hargreaves ET0, mm/day (FAO-56 Eq. 52; Ra converted to mm/day with Eq. 20's 0.408)."""
    tmean = (tmax_c + tmin_c) / 2.0
    return 0.0023 * (tmean + 17.8) * math.sqrt(max(tmax_c - tmin_c, 0.0)) * 0.408 * ra_mj_m2


def _actual_vapour_pressure(w: DailyWeather, site: Site) -> tuple[float, str, bool]:
    """ea by the FAO-56 preference order; returns (ea, source, estimated)."""
    if w.tdew_c is not None:
        return meteo.ea_from_tdew(w.tdew_c), "dewpoint (FAO-56 Eq. 14)", False
    if w.ea_kpa is not None:
        return w.ea_kpa, "measured ea", False
    if w.rh_max is not None and w.rh_min is not None:
        return (
            meteo.ea_from_rh_max_min(w.tmin_c, w.tmax_c, w.rh_max, w.rh_min),
            "RHmax/RHmin (FAO-56 Eq. 17)",
            False,
        )
    if w.rh_max is not None:
        return meteo.ea_from_rh_max(w.tmin_c, w.rh_max), "RHmax only (FAO-56 Eq. 18)", False
    if w.rh_mean is not None:
        return meteo.ea_from_rh_mean(w.tmin_c, w.tmax_c, w.rh_mean), "RHmean (FAO-56 Eq. 19)", False
    rule = "Tdew = Tmin - 2 °C (FAO-56 Eq. 48, arid)" if site.arid else "Tdew = Tmin (FAO-56 Eq. 48)"
    return meteo.ea_from_tmin(w.tmin_c, arid=site.arid), rule, True


def daily_et0(weather: DailyWeather, site: Site, method: Et0Method = Et0Method.FAO56_PM) -> Et0Result:
    """Daily ET0 in mm/day, estimating missing humidity, wind and radiation per FAO-56 Ch. 3."""
    validate_daily(weather, site)
    doy = weather.day.timetuple().tm_yday
    tmean = (weather.tmax_c + weather.tmin_c) / 2.0  # FAO-56 Eq. 9
    ra = solar.extraterrestrial_radiation(site.lat_deg, doy)
    notes: list[str] = []
    if method is Et0Method.FAO56_PM and site.elevation_m is None:
        method = Et0Method.HARGREAVES
        notes.append("elevation unknown: Hargreaves (FAO-56 Eq. 52) used as last resort")
    if method is Et0Method.HARGREAVES:
        value = hargreaves(weather.tmax_c, weather.tmin_c, ra)
        return Et0Result(
            et0_mm=max(value, 0.0),
            method=method,
            terms=Et0Terms(tmean_c=tmean, ra_mj_m2=ra),
            estimated=("humidity", "wind", "radiation"),
            sources={"et0": "Hargreaves (FAO-56 Eq. 52)"},
            notes=tuple(notes),
        )
    assert site.elevation_m is not None
    estimated: list[str] = []
    sources: dict[str, str] = {}
    pressure = meteo.atmospheric_pressure(site.elevation_m)
    gamma = meteo.psychrometric_constant(pressure)
    delta = meteo.slope_sat_vapour_pressure(tmean)
    es = meteo.mean_sat_vapour_pressure(weather.tmax_c, weather.tmin_c)
    ea, sources["ea"], ea_estimated = _actual_vapour_pressure(weather, site)
    if ea_estimated:
        estimated.append("humidity")
    if ea > es:
        notes.append("ea > es: vapour pressure deficit set to 0")
        ea = es
    if weather.wind_m_s is None:
        u2 = DEFAULT_WIND_M_S
        estimated.append("wind")
        sources["u2"] = "2 m/s default (FAO-56 Ch. 3, missing wind speed)"
    else:
        u2 = meteo.wind_speed_2m(weather.wind_m_s, weather.wind_height_m)
        sources["u2"] = (
            "measured at 2 m" if weather.wind_height_m == 2.0 else "converted to 2 m (FAO-56 Eq. 47)"
        )
    n_daylight = solar.daylight_hours(site.lat_deg, doy)
    rso = solar.clear_sky_radiation(ra, site.elevation_m)
    if weather.rs_mj_m2 is not None:
        rs = weather.rs_mj_m2
        sources["rs"] = "measured"
    elif weather.sunshine_h is not None:
        if weather.sunshine_h > n_daylight + 0.05:
            raise AdvisoryInputError(
                f"sunshine_h={weather.sunshine_h} exceeds daylength N={n_daylight:.2f} h"
            )
        rs = solar.rs_from_sunshine(ra, min(weather.sunshine_h, n_daylight), n_daylight)
        sources["rs"] = "sunshine hours (FAO-56 Eq. 35)"
    else:
        rs = min(solar.rs_from_temperature(ra, weather.tmax_c, weather.tmin_c, site.krs), rso)
        estimated.append("radiation")
        sources["rs"] = f"temperature range, kRs={site.krs} (FAO-56 Eq. 50), capped at Rso"
    rns = solar.net_shortwave(rs)
    rnl = solar.net_longwave_daily(weather.tmax_c, weather.tmin_c, ea, rs, rso)
    rn = rns - rnl
    g = weather.soil_heat_flux_mj_m2
    value = penman_monteith_daily(delta, gamma, rn, g, tmean, u2, es, ea)
    if value < 0.0:
        notes.append(f"computed ET0 {value:.3f} mm < 0 reported as 0")
    terms = Et0Terms(
        tmean_c=tmean,
        ra_mj_m2=ra,
        pressure_kpa=pressure,
        gamma_kpa_per_c=gamma,
        delta_kpa_per_c=delta,
        es_kpa=es,
        ea_kpa=ea,
        u2_m_s=u2,
        daylight_hours=n_daylight,
        rs_mj_m2=rs,
        rso_mj_m2=rso,
        rns_mj_m2=rns,
        rnl_mj_m2=rnl,
        rn_mj_m2=rn,
        g_mj_m2=g,
    )
    sources["et0"] = "FAO-56 Penman-Monteith (Eq. 6)"
    return Et0Result(max(value, 0.0), Et0Method.FAO56_PM, terms, tuple(estimated), sources, tuple(notes))


@dataclass(frozen=True)
class HourlyWeather:
    """One hour of weather starting at ``start`` (aware, or naive = site standard time)."""

    start: datetime
    t_c: float
    rh: float
    rs_mj_m2_h: float
    wind_m_s: float | None = None
    wind_height_m: float = meteo.STANDARD_WIND_HEIGHT_M


def _standard_time(start: datetime, utc_offset_h: float) -> datetime:
    if start.tzinfo is None:
        return start
    return start.astimezone(timezone(timedelta(hours=utc_offset_h))).replace(tzinfo=None)


def hourly_et0(hour: HourlyWeather, site: Site, night_rs_rso: float | None = None) -> Et0Result:
    """Hourly ET0 in mm/h (FAO-56 Eq. 53 with Eqs. 28-31, 45-46, 54).

    ``night_rs_rso`` is the Rs/Rso carried from 2-3 h before sunset (FAO-56 Ch. 4); without it
    a humid-climate default is used and "night_rs_rso" is listed as estimated.
    """
    if site.elevation_m is None or site.lon_deg is None:
        raise AdvisoryInputError("hourly ET0 needs site elevation_m and lon_deg")
    _check_range("t_c", hour.t_c, -60.0, 60.0)
    _check_range("rh", hour.rh, 0.0, 100.0)
    _check_range("rs_mj_m2_h", hour.rs_mj_m2_h, 0.0, 5.0)
    _check_range("wind_m_s", hour.wind_m_s, 0.0, 60.0)
    local = _standard_time(hour.start, site.utc_offset_h)
    doy = local.timetuple().tm_yday
    midpoint_h = local.hour + local.minute / 60.0 + 0.5
    omega = solar.solar_time_angle(midpoint_h, doy, site.lon_deg, 15.0 * site.utc_offset_h)
    ra = solar.extraterrestrial_radiation_hourly(site.lat_deg, doy, omega)
    sun_up = solar.sun_is_up(site.lat_deg, doy, omega)
    pressure = meteo.atmospheric_pressure(site.elevation_m)
    gamma = meteo.psychrometric_constant(pressure)
    delta = meteo.slope_sat_vapour_pressure(hour.t_c)
    es = meteo.sat_vapour_pressure(hour.t_c)
    ea = es * hour.rh / 100.0  # FAO-56 Eq. 54
    estimated: list[str] = []
    if hour.wind_m_s is None:
        u2 = DEFAULT_WIND_M_S
        estimated.append("wind")
    else:
        u2 = meteo.wind_speed_2m(hour.wind_m_s, hour.wind_height_m)
    rso = solar.clear_sky_radiation(ra, site.elevation_m)
    if rso > 0.0 and sun_up:
        ratio = solar.relative_shortwave(hour.rs_mj_m2_h, rso)
    elif night_rs_rso is not None:
        ratio = night_rs_rso
    else:
        ratio = DEFAULT_NIGHT_RS_RSO
        estimated.append("night_rs_rso")
    rns = solar.net_shortwave(hour.rs_mj_m2_h)
    rnl = solar.net_longwave_hourly(hour.t_c, ea, ratio)
    rn = rns - rnl
    g = 0.1 * rn if sun_up else 0.5 * rn  # FAO-56 Eqs. 45 / 46
    num = 0.408 * delta * (rn - g) + gamma * 37.0 / (hour.t_c + 273.0) * u2 * (es - ea)
    value = num / (delta + gamma * (1.0 + 0.34 * u2))  # FAO-56 Eq. 53
    terms = Et0Terms(
        tmean_c=hour.t_c,
        ra_mj_m2=ra,
        pressure_kpa=pressure,
        gamma_kpa_per_c=gamma,
        delta_kpa_per_c=delta,
        es_kpa=es,
        ea_kpa=ea,
        u2_m_s=u2,
        rs_mj_m2=hour.rs_mj_m2_h,
        rso_mj_m2=rso,
        rns_mj_m2=rns,
        rnl_mj_m2=rnl,
        rn_mj_m2=rn,
        g_mj_m2=g,
    )
    return Et0Result(
        et0_mm=value,
        method=Et0Method.FAO56_PM,
        terms=terms,
        estimated=tuple(estimated),
        sources={"et0": "FAO-56 hourly Penman-Monteith (Eq. 53)", "rs_rso": f"{ratio:.3f}"},
    )
