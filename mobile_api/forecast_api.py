"""The field's weather ahead: the forecast days, whether to hold irrigation for rain, disease risk for
the next three days and the good times to spray (with the PHI of the product the farmer means to use
against the planned harvest and the field's market).

HTTP only: the forecast comes from ``server.weather.coordinator`` (API, cache, stale fallback), the
advice from the pure ``server.advisory.forecast_risk`` and ``server.advisory.spray_window``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy.orm import selectinload

from common.timezone import local_today, naive_local
from mobile_api import common
from mobile_api.apidoc import doc
from mobile_api.auth import login_required, visible_field
from server.advisory.compliance import catalogue
from server.advisory.forecast_risk import daily_outlook, rain_ahead, risk_ahead
from server.advisory.irrigation_plan import RainAhead
from server.advisory.spray_window import Planned, limits, spray_windows
from server.errors import problem
from server.farm import fielddata, locks
from server.registry import plantings
from server.registry.geo import centroid
from server.registry.models import Field
from server.services import services
from server.weather.coordinator import ForecastResult, forecast, rain_for_advice

bp = Blueprint("forecast", __name__)
QUERY = {"product", "phi_days", "harvest"}
HISTORY_DAYS = 14  # measured hours before the forecast, as today's advice reads (server.farm.today)
MAX_PHI_DAYS = 365
HARVEST_RANGE_DAYS = 400  # a planned harvest within a season and a bit of the current day


def _query() -> tuple[dict[str, Any], Response | None]:
    """The validated query: ``product`` (catalogue id or name), ``phi_days`` (the label's PHI),
    ``harvest`` (YYYY-MM-DD, overrides the planting's expected harvest)."""
    unknown = sorted(set(request.args) - QUERY)
    if unknown:
        detail = f"unknown: {', '.join(unknown)}; allowed: {', '.join(sorted(QUERY))}"
        return {}, problem(400, "Invalid query parameter", detail)
    out: dict[str, Any] = {"product": None, "phi_days": None, "harvest": None}
    if raw := request.args.get("product", "").strip():
        found = catalogue.find_product(raw)
        if found is None:
            return out, problem(400, "Invalid query parameter", "product: not in the pesticide catalogue")
        out["product"] = found
    if raw := request.args.get("phi_days", "").strip():
        if not re.fullmatch(r"[0-9]{1,3}", raw) or int(raw) > MAX_PHI_DAYS:  # ASCII digits only
            return out, problem(400, "Invalid query parameter", f"phi_days: a whole number 0-{MAX_PHI_DAYS}")
        out["phi_days"] = int(raw)
    if raw := request.args.get("harvest", "").strip():
        day = common.parse_date(raw)
        today = local_today()
        if day is None or abs((day - today).days) > HARVEST_RANGE_DAYS:
            return out, problem(400, "Invalid query parameter", "harvest: YYYY-MM-DD within about a year")
        out["harvest"] = day
    return out, None


def advice_rain(f: Field, now: int) -> RainAhead | None:
    """The likely rain ahead for ``f``'s irrigation plan in today's advice (home and field screens),
    None without a forecast: ``server.farm.today.field_today(rain=...)``."""
    svc = services()
    if svc.settings is None:
        return None
    lat, lon = centroid(f.geometry)
    return rain_for_advice(svc.db, svc.settings, lat, lon, now)


def _observed(f: Field, now: int) -> list[Any]:
    """The station's measured hours of the last two weeks (what today's advice reads)."""
    station = fielddata.weather_node(f)
    if station is None:
        return []
    points = fielddata.read_weather(services().store, station.id, now - HISTORY_DAYS * 86400, now)
    return fielddata.hourly_records(points)


def _risk_json(days: list[tuple[date, list[Any]]]) -> list[dict[str, Any]]:
    return [
        {
            "day": d.isoformat(),
            "diseases": [
                {"disease": r.disease_key, "level": r.level.value, "text": r.text.as_json()}
                for r in sorted(risks, key=lambda r: r.disease_key)
            ],
        }
        for d, risks in days
    ]


@bp.get("/api/v1/fields/<int:field_id>/forecast")
@doc(
    "The field's weather ahead: forecast days, rain for irrigation, 3-day disease risk, spray windows",
    tag="app",
    query={
        "product": "string: catalogue product id or trade name to check its PHI (optional)",
        "phi_days": "integer 0-365: the PHI printed on the label (optional)",
        "harvest": "string YYYY-MM-DD: planned harvest (default: the planting's expected harvest)",
    },
)
@login_required
def field_forecast(field_id: int) -> Response | dict[str, Any]:
    """Everything the forecast card shows; without a forecast every part says so (``status``)."""
    args, bad = _query()
    if bad is not None:
        return bad
    svc = services()
    now = common.now_s()
    today = local_today(now)
    with svc.db.session() as db:
        f = visible_field(db, field_id, selectinload(Field.nodes))
        if f is None:
            return problem(404, "Unknown field")
        current = plantings.current_plantings(db, [f.id], today).get(f.id)
        season = plantings.season_of(f, current)
        market = locks.market(db, f.id)
        lat, lon = centroid(f.geometry)
        observed = _observed(f, now)
    result = forecast(svc.db, svc.settings, lat, lon, now) if svc.settings else ForecastResult("off")
    hours = list(result.hours)
    local_now = naive_local(now)
    harvest = args["harvest"] or (current.expected_harvest if current else None)
    product = args["product"]
    plan = Planned(
        str(f.id), season.crop, market, product.product_id if product else None, args["phi_days"], harvest
    )
    windows, blocked = spray_windows(hours, local_now, plan) if hours else ([], {})
    rain = rain_ahead(hours, local_now) if hours else None
    start = season.planting_date
    since = max(start, today - timedelta(days=HISTORY_DAYS - 1)) if start else None
    risk = risk_ahead(str(f.id), season.crop, observed, hours, today, since=since) if hours else []
    return {
        "field_id": f.id,
        "crop": season.crop,
        "market": market,
        "market_names": catalogue.market_names(market),
        "forecast": result.as_json(),
        "days": daily_outlook(hours, today, 4) if hours else [],
        "rain": rain.as_json() if rain else None,
        "risk": _risk_json(risk),
        "spray": {
            "limits": limits(),
            "windows": [w.as_json() for w in windows],
            "blocked_hours": blocked,
            "product": {"id": product.product_id, "name": product.trade_name} if product else None,
            "phi_days": args["phi_days"],
            "harvest_on": harvest.isoformat() if harvest else None,
        },
    }
