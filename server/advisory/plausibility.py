"""The one place that refuses physically impossible weather before any advice is computed.

Why: a confident wrong number is worse than no number. A typo (Tmin and Tmax swapped, RH 120 %,
Rs 45 MJ on a December day in Vĩnh Phúc) used to give an ET0 and an irrigation amount as if it
were real. ``farm advise`` (exit 2, one line) and the HTTP API (400 with the reason) both call
``check_day`` / ``check_site``, so the limits and the wording live only here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from server.advisory import solar
from server.advisory.errors import AdvisoryInputError

#: Measured Rs may exceed the FAO-56 Eq. 37 clear-sky envelope by this fraction before it is refused:
#: the achievable uncertainty of daily totals from a "moderate quality" pyranometer is 10 %
#: (WMO-No. 8, Guide to Instruments and Methods of Observation, ch. 7, table of pyranometer
#: classes), and FAO-56 Annex 5 (Fig. 5.5) checks Rs against the Rso envelope for integrity.
RS_CLEAR_SKY_TOLERANCE = 0.10


@dataclass(frozen=True)
class Limit:
    """A physical range of one input, with the name people read and its unit."""

    label: str
    low: float
    high: float
    unit: str


#: Ranges of single values. Latitude: the geographic definition (±90°). Relative humidity is a
#: ratio to saturation, 0-100 % (WMO-No. 8 ch. 4). Wind speed is a magnitude (≥ 0). The others
#: are generous bounds of records on Earth (temperature −60…60 °C, elevation −450…9000 m).
LIMITS: dict[str, Limit] = {
    "lat_deg": Limit("latitude", -90.0, 90.0, "°"),
    "elevation_m": Limit("elevation", -450.0, 9000.0, "m"),
    "tmax_c": Limit("Tmax", -60.0, 60.0, "°C"),
    "tmin_c": Limit("Tmin", -60.0, 60.0, "°C"),
    "rh_max": Limit("RHmax", 0.0, 100.0, "%"),
    "rh_min": Limit("RHmin", 0.0, 100.0, "%"),
    "rh_mean": Limit("RH", 0.0, 100.0, "%"),
    "ea_kpa": Limit("ea", 0.0, 10.0, "kPa"),
    "tdew_c": Limit("dew point", -60.0, 40.0, "°C"),
    "wind_m_s": Limit("wind speed", 0.0, 60.0, "m/s"),
    "wind_height_m": Limit("wind height", 0.5, 100.0, "m"),
    "sunshine_h": Limit("sunshine", 0.0, 24.0, "h"),
    "rs_mj_m2": Limit("Rs", 0.0, 50.0, "MJ/m²/day"),
    "soil_heat_flux_mj_m2": Limit("soil heat flux", -10.0, 10.0, "MJ/m²/day"),
}


def check_value(name: str, value: float | None) -> None:
    """Refuse a non-finite value or one outside ``LIMITS[name]``; None (not measured) passes."""
    if value is None:
        return
    limit = LIMITS[name]
    if not math.isfinite(value):
        raise AdvisoryInputError(f"{limit.label} is not a finite number ({value})")
    if value < limit.low:
        raise AdvisoryInputError(f"{limit.label} {value:g} {limit.unit} is below {limit.low:g} {limit.unit}")
    if value > limit.high:
        raise AdvisoryInputError(f"{limit.label} {value:g} {limit.unit} is above {limit.high:g} {limit.unit}")


def clear_sky_max(lat_deg: float, day: date, elevation_m: float | None) -> float:
    """Clear-sky radiation Rso (FAO-56 Eq. 37, Ra from Eq. 21) on ``day``; sea level if unknown."""
    ra = solar.extraterrestrial_radiation(lat_deg, day.timetuple().tm_yday)
    return solar.clear_sky_radiation(ra, elevation_m or 0.0)


def check_radiation(rs_mj_m2: float | None, lat_deg: float, day: date, elevation_m: float | None) -> None:
    """Refuse measured Rs above Rso × (1 + ``RS_CLEAR_SKY_TOLERANCE``) for that place and day."""
    if rs_mj_m2 is None:
        return
    rso = clear_sky_max(lat_deg, day, elevation_m)
    if rs_mj_m2 > rso * (1.0 + RS_CLEAR_SKY_TOLERANCE):
        raise AdvisoryInputError(
            f"Rs {rs_mj_m2:g} MJ/m²/day is above the clear-sky maximum Rso {rso:.1f} "
            f"(FAO-56 Eq. 37, +{RS_CLEAR_SKY_TOLERANCE:.0%} tolerance) at latitude {lat_deg:g} "
            f"on {day.isoformat()}"
        )


def check_site(lat_deg: float, elevation_m: float | None) -> None:
    """Latitude and elevation in their physical ranges."""
    check_value("lat_deg", lat_deg)
    check_value("elevation_m", elevation_m)


def check_day(
    day: date,
    lat_deg: float,
    elevation_m: float | None,
    values: Mapping[str, float | None],
) -> None:
    """Every impossibility of one day of weather; ``values`` uses the ``LIMITS`` keys.

    Single values first (ranges), then combinations: Tmin above Tmax, RHmin above RHmax, Rs
    above the clear-sky maximum. The first problem found is raised as one sentence."""
    check_site(lat_deg, elevation_m)
    for name, value in values.items():
        check_value(name, value)
    tmax, tmin = values.get("tmax_c"), values.get("tmin_c")
    if tmax is not None and tmin is not None and tmin > tmax:
        raise AdvisoryInputError(f"Tmin {tmin:g} °C is above Tmax {tmax:g} °C")
    rh_max, rh_min = values.get("rh_max"), values.get("rh_min")
    if rh_max is not None and rh_min is not None and rh_min > rh_max:
        raise AdvisoryInputError(f"RHmin {rh_min:g} % is above RHmax {rh_max:g} %")
    check_radiation(values.get("rs_mj_m2"), lat_deg, day, elevation_m)
