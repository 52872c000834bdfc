"""Reference evapotranspiration from one day of weather a person types in (the ET0 calculator).

HTTP only: the physical checks (Tmin above Tmax, RH above 100 %, negative wind, |lat| > 90, Rs above
the clear-sky maximum) are the domain's, ``server.advisory.plausibility`` through ``daily_et0``,
the same ones ``farm advise et0`` uses; an impossible day is a 400 whose ``reason`` says why.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response

from mobile_api.apidoc import doc
from mobile_api.auth import login_required
from server.advisory.errors import AdvisoryInputError
from server.advisory.et0 import DailyWeather, Site, daily_et0
from server.auth.writes import EVERYONE, writes
from server.errors import problem
from server.validation import json_body

bp = Blueprint("advise", __name__)
# Body key -> DailyWeather field (optional measurements; absent = estimated by FAO-56 Ch. 3).
OPTIONAL = {
    "rh_max": "rh_max",
    "rh_min": "rh_min",
    "wind": "wind_m_s",
    "sunshine": "sunshine_h",
    "rs": "rs_mj_m2",
}


def _number(body: dict[str, Any], key: str) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AdvisoryInputError(f"{key} must be a number, got {value!r}")
    return float(value)


def _weather(body: dict[str, Any]) -> tuple[DailyWeather, Site]:
    try:
        day = date.fromisoformat(str(body.get("date") or ""))
    except ValueError:
        raise AdvisoryInputError("date must be YYYY-MM-DD") from None
    required = {k: _number(body, k) for k in ("lat", "tmax", "tmin")}
    missing = [k for k, v in required.items() if v is None]
    if missing:
        raise AdvisoryInputError(f"missing {', '.join(missing)}")
    lat, tmax, tmin = (float(required[k] or 0.0) for k in ("lat", "tmax", "tmin"))
    o = {field: _number(body, key) for key, field in OPTIONAL.items()}
    weather = DailyWeather(
        day=day,
        tmax_c=tmax,
        tmin_c=tmin,
        rh_max=o["rh_max"],
        rh_min=o["rh_min"],
        wind_m_s=o["wind_m_s"],
        sunshine_h=o["sunshine_h"],
        rs_mj_m2=o["rs_mj_m2"],
    )
    return weather, Site(lat_deg=lat, elevation_m=_number(body, "elevation"))


@bp.post("/api/v1/app/advise/et0")
@doc(
    "ET0 (FAO-56) of one day of weather; 400 with the reason for a physically impossible day",
    tag="app",
    body={
        "date": "string",
        "lat": "number",
        "elevation": "number",
        "tmax": "number",
        "tmin": "number",
        "rh_max": "number",
        "rh_min": "number",
        "wind": "number",
        "sunshine": "number",
        "rs": "number",
    },
)
@writes(*EVERYONE, audit=False)  # a calculation: it changes nothing, any signed-in person may ask
@login_required
def et0() -> Response | dict[str, Any]:
    try:
        weather, site = _weather(json_body())
        result = daily_et0(weather, site)
    except AdvisoryInputError as exc:
        return problem(400, "Impossible weather", str(exc), reason=str(exc))
    return {"date": weather.day.isoformat(), **result.to_dict()}
