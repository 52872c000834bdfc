"""Home and field screens: the user's farms and fields with today's advice, the field profile and
the field's season (crop and planting date: the registry's audited planting record)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from common.language import LANGS
from common.timezone import local_today
from mobile_api import common
from mobile_api.apidoc import doc
from mobile_api.auth import login_required, visible_farms, visible_field
from mobile_api.forecast_api import advice_rain
from server.advisory.i18n import message
from server.advisory.kc import crops, get_crop
from server.auth import current_user
from server.auth import policy as pol
from server.auth.roles import Role
from server.auth.writes import writes
from server.errors import problem
from server.farm import locks, season_profile
from server.farm.compliance import MARKETS
from server.farm.models import FieldProfile
from server.farm.today import StoreReads, field_today
from server.pagination import id_arg
from server.registry import plantings
from server.registry.geo import area_units, centroid
from server.registry.models import Farm, Field
from server.registry.views import planting_view
from server.services import services
from server.validation import json_body

bp = Blueprint("home", __name__)
PLAN_AHEAD_DAYS = 60  # a planting may be recorded as planned up to two months ahead
FARM_WITH_NODES = selectinload(Farm.fields).selectinload(Field.nodes)


def _field_head(f: Field) -> dict[str, Any]:
    return {
        "id": f.id,
        "name": f.name,
        "crop": f.crop,
        "area": area_units(f.area_m2),
        "centroid": centroid(f.geometry),
    }


@bp.get("/api/v1/app/farms")
@doc("Farms and fields the user may see", tag="app")
@login_required
def farms() -> dict[str, Any]:
    """Farms and fields the user may see (no advice: the picker's quick list)."""
    with services().db.session() as db:
        ids = visible_farms(db)
        rows = (
            db.scalars(
                select(Farm).where(Farm.id.in_(ids)).options(selectinload(Farm.fields)).order_by(Farm.id)
            ).all()
            if ids
            else []
        )
        return {
            "farms": [
                {
                    "id": fm.id,
                    "name": fm.name,
                    "commune": fm.commune,
                    "fields": [_field_head(f) for f in fm.fields],
                }
                for fm in rows
            ]
        }


@bp.get("/api/v1/app/home")
@doc(
    "Home: today's advice per field of one farm",
    tag="app",
    query={"farm": "integer: farm id (default: the first)"},
)
@login_required
def home() -> Response | dict[str, Any]:
    """One farm's fields, each with today's advice, harvest lock and node states."""
    svc = services()
    now = common.now_s()
    with svc.db.session() as db:
        farm_id = id_arg("farm")
        ids = visible_farms(db)
        chosen = min(ids, default=None) if farm_id is None else farm_id if farm_id in ids else None
        # One query per table for the whole farm (fields, their nodes, profiles, diaries), not per field.
        farm = None if chosen is None else db.get(Farm, chosen, options=[FARM_WITH_NODES])
        if farm is None:
            return problem(404, "Unknown farm")
        profiles = locks.profiles(db, [f.id for f in farm.fields])
        verdicts = locks.field_verdicts(db, farm.fields, profiles)
        seasons = plantings.seasons(db, farm.fields, local_today())
        reads = StoreReads(svc.store)  # one store read per farm, not per field (same answers)
        reads.prefetch_farm(farm.fields)
        fields = [
            _field_head(f)
            | {
                "today": field_today(
                    svc.store,
                    f,
                    profiles.get(f.id),
                    verdicts[f.id].lock,
                    now,
                    reads,
                    seasons[f.id],
                    rain=advice_rain(f, now),
                )
                | {"lot_gate": verdicts[f.id].as_json()}
            }
            for f in farm.fields
        ]
        return {
            "time": now,
            "farm": {"id": farm.id, "name": farm.name, "commune": farm.commune},
            "fields": fields,
        }


@bp.get("/api/v1/app/fields/<int:field_id>")
@doc("One field: polygon, nodes, profile and today's advice", tag="app")
@login_required
def field(field_id: int) -> Response | dict[str, Any]:
    """One field: polygon, nodes (for the charts), profile and today's advice."""
    svc = services()
    with svc.db.session() as db:
        f = visible_field(db, field_id, selectinload(Field.nodes))
        if f is None:
            return problem(404, "Unknown field")
        p = locks.profile(db, f.id)
        verdict = locks.field_verdict(db, f)
        current = plantings.current_plantings(db, [f.id], local_today()).get(f.id)
        season = plantings.season_of(f, current)
        return _field_head(f) | {
            "geometry": f.geometry,
            "nodes": [{"id": n.id, "name": n.name, "kind": n.kind} for n in f.nodes],
            "profile": {
                "market": p.market if p else "VN",
                "planting_date": season.planting_date.isoformat() if season.planting_date else None,
                "soil_texture": p.soil_texture if p else None,
            },
            "planting": planting_view(current) if current else None,
            "season_profile": season_profile.view(db, f, local_today()),
            "can_edit_season": pol.can_edit_farm(db, current_user(), f.farm),
            "crops": [{"key": c.key, "names": dict(c.names)} for c in crops().values()],
            "today": field_today(
                svc.store,
                f,
                p,
                verdict.lock,
                common.now_s(),
                season=season,
                rain=advice_rain(f, common.now_s()),
            )
            | {"lot_gate": verdict.as_json()},
        }


@bp.put("/api/v1/app/fields/<int:field_id>/profile")
@writes(Role.FARMER, Role.ADMIN, target="field")
@doc(
    "Set a field's market, planting date and soil texture",
    tag="app",
    body={"market": "string", "planting_date": "string", "soil_texture": "string"},
)
@login_required
def put_profile(field_id: int) -> Response | dict[str, Any]:
    """Set the field's market and soil texture; a ``planting_date`` goes to the field's planting
    record (as ``PUT …/season`` with the current crop); leaving it out leaves the planting as it is."""
    body = json_body()
    if not isinstance(body, dict):
        return problem(422, "Invalid body", "send a JSON object")
    market = str(body.get("market", "VN"))
    planting = common.parse_date(body["planting_date"]) if body.get("planting_date") else None
    soil = str(body.get("soil_texture") or "") or None
    if market not in MARKETS or (body.get("planting_date") and planting is None):
        return problem(422, "Invalid profile", f"market one of {MARKETS}; planting_date YYYY-MM-DD")
    if soil is not None and soil not in [*season_profile.soil_textures(), season_profile.UNKNOWN_SOIL]:
        return problem(422, "Invalid profile", "unknown soil_texture")
    with services().db.session() as db:
        f = visible_field(db, field_id)
        if f is None:
            return problem(404, "Unknown field")
        if "planting_date" in body:
            if not pol.can_edit_farm(db, current_user(), f.farm):
                return problem(403, "Only the farm's owner may change its planting")
            today = local_today()
            crop = plantings.seasons(db, [f], today)[f.id].crop
            plantings.record_season(db, f, crop, planting, today)
        p = db.get(FieldProfile, field_id) or FieldProfile(field_id=field_id)
        p.market, p.soil_texture = market, soil
        db.add(p)
    return {
        "field_id": field_id,
        "market": market,
        "planting_date": body.get("planting_date"),
        "soil_texture": soil,
    }


@bp.put("/api/v1/app/fields/<int:field_id>/season")
@writes(Role.FARMER, Role.ADMIN, target="field")
@doc(
    "Set the crop and planting date of a field (the registry's audited planting record)",
    tag="app",
    body={"crop": "string: crop key, e.g. rice", "planting_date": "string: YYYY-MM-DD or null"},
)
@login_required
def put_season(field_id: int) -> Response | dict[str, Any]:
    """The farmer's field screen: the same crop corrects the current planting's date; another crop
    starts a new planting. Every change is in the audit log (``Planting`` is audited)."""
    body = json_body()
    if not isinstance(body, dict):
        return problem(422, "Invalid body", "send a JSON object")
    raw = body.get("planting_date")
    planting_date = common.parse_date(raw) if raw else None
    if raw and planting_date is None:
        return problem(422, "Invalid season", "planting_date YYYY-MM-DD")
    today = local_today()
    if planting_date is not None and planting_date > today + timedelta(days=PLAN_AHEAD_DAYS):
        return problem(422, "Invalid season", f"planting_date at most {PLAN_AHEAD_DAYS} days ahead")
    with services().db.session() as db:
        f = visible_field(db, field_id)
        if f is None:
            return problem(404, "Unknown field")
        if not pol.can_edit_farm(db, current_user(), f.farm):
            return problem(403, "Only the farm's owner may change its planting")
        crop = get_crop(str(body.get("crop") or f.crop)).key  # unknown: 400 (server/errors.py)
        planting = plantings.record_season(db, f, crop, planting_date, today)
        season = plantings.season_of(f, planting)
        return {
            "field_id": field_id,
            "crop": season.crop,
            "planting_date": season.planting_date.isoformat() if season.planting_date else None,
            "planting": planting_view(planting),
        }


@bp.put("/api/v1/app/fields/<int:field_id>/season-profile")
@writes(Role.FARMER, Role.ADMIN, target="field")
@doc(
    "Confirm a field's season profile: crop, sowing or transplanting date, variety and duration (the "
    "registry's planting record), market, soil texture (or 'unknown'), irrigation method, pump flow",
    tag="app",
    body={
        "crop": "string: crop key",
        "planting_date": "string: YYYY-MM-DD or null",
        "date_kind": "sown | transplanted",
        "variety": "string",
        "duration_days": "integer: sowing to harvest",
        "market": "string",
        "soil_texture": "string: a soil texture key or 'unknown'",
        "irrigation_method": "flood | furrow | drip | can",
        "pump_rate_m3h": "number: the pump's flow, m³/h, or null",
        "expected_harvest": "string: planned harvest day YYYY-MM-DD (or from duration_days)",
    },
)
@login_required
def put_season_profile(field_id: int) -> Response | dict[str, Any]:
    """The farmer confirms the season profile; until then the advice states what it assumed."""
    body = json_body()
    if not isinstance(body, dict):
        return problem(422, "Invalid body", "send a JSON object")
    today = local_today()
    try:
        form = season_profile.parse(body, today)
    except season_profile.ProfileError as e:
        return problem(422, "Invalid season profile", str(e))
    with services().db.session() as db:
        f = visible_field(db, field_id)
        if f is None:
            return problem(404, "Unknown field")
        if not pol.can_edit_farm(db, current_user(), f.farm):
            return problem(403, "Only the farm's owner may change its season")
        season_profile.save(db, f, form, today, common.now_s())
        return {"field_id": field_id, "season_profile": season_profile.view(db, f, today)}


EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/api/v1/app/fields/<int:field_id>/season-table")
@doc(
    "The field's season table (daily rain, ET0, ETc, GDD, water balance, sprays, risk) as a file",
    tag="app",
    query={"format": "string: csv or xlsx (default csv)", "lang": "string: vi or en (default vi)"},
    produces="text/csv",
)
@login_required
def season_table(field_id: int) -> Response:
    """Download for the farmer's spreadsheet: CSV as Vietnamese Excel reads it, or XLSX."""
    # pandas (about 0.5-2 s to import) loads on the first download, not with every app start
    from server.advisory import season_table as table_export
    from server.farm.season_table import field_table

    kind = request.args.get("format", "csv")
    lang = request.args.get("lang", LANGS[0])
    if kind not in EXPORTS or lang not in LANGS:
        return problem(422, "Invalid request", f"format one of {list(EXPORTS)}; lang one of {list(LANGS)}")
    svc = services()
    now = common.now_s()
    with svc.db.session() as db:
        f = visible_field(db, field_id, selectinload(Field.nodes))
        if f is None:
            return problem(404, "Unknown field")
        frame = field_table(db, svc.store, f, now)
        name = f.name
    if kind == "csv":
        data = table_export.to_csv(frame, lang)
    else:
        data = table_export.to_xlsx(frame, lang, message("season_table.sheet", field=name).get(lang))
    filename = f"season-field-{field_id}-{local_today().isoformat()}.{kind}"
    return Response(
        data, mimetype=EXPORTS[kind], headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
