"""Registry read/write API for farms and fields; every decision comes from server.auth.policy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import func, select

from server.advisory.kc import get_crop
from server.auth import current_user
from server.auth import policy as pol
from server.auth.roles import Role
from server.auth.writes import writes
from server.errors import problem
from server.openapi import doc
from server.pagination import page
from server.registry.models import Farm, Field
from server.registry.plantings import Planting
from server.registry.views import farm_view, field_view
from server.services import services
from server.validation import json_body

bp = Blueprint("registry", __name__, url_prefix="/api/v1")
PAGE = {"limit": "integer: page size (≤ 500)", "offset": "integer: rows to skip"}


@bp.get("/farms")
@doc("Farms you may see", tag="registry", query=PAGE)
def list_farms() -> dict[str, Any]:
    with services().db.session() as session:
        ids = pol.visible_farm_ids(session, current_user())
        rows, paging = page(session, select(Farm).where(Farm.id.in_(ids)).order_by(Farm.id))
        return {"items": [farm_view(f) for f in rows], "paging": paging}


@bp.get("/farms/<int:farm_id>")
@doc("One farm", tag="registry")
def get_farm(farm_id: int) -> Response | dict[str, Any]:
    with services().db.session() as session:
        farm = session.get(Farm, farm_id)
        if farm is None or not pol.can_view_farm(session, current_user(), farm_id):
            return problem(404, "No such farm")  # 404, not 403: do not reveal what exists
        return farm_view(farm)


@bp.patch("/farms/<int:farm_id>")
@writes(Role.FARMER, Role.ADMIN, target="farm")
@doc(
    "Rename a farm or change consent to share with officers",
    tag="registry",
    body={"name": "string", "share_with_officers": "boolean"},
)
def patch_farm(farm_id: int) -> Response | dict[str, Any]:
    body = json_body()
    with services().db.session() as session:
        farm = session.get(Farm, farm_id)
        if farm is None or not pol.can_view_farm(session, current_user(), farm_id):
            return problem(404, "No such farm")
        if not pol.can_edit_farm(session, current_user(), farm):
            return problem(403, "Only the farm's owner may change it")
        if isinstance(body.get("name"), str) and body["name"].strip():
            farm.name = body["name"].strip()[:200]
        if isinstance(body.get("share_with_officers"), bool):
            farm.share_with_officers = body["share_with_officers"]
            farm.consent_changed_at = datetime.now(UTC)
        session.flush()
        return farm_view(farm)


@bp.get("/fields/<int:field_id>")
@doc("One field with its plantings", tag="registry")
def get_field(field_id: int) -> Response | dict[str, Any]:
    with services().db.session() as session:
        field = session.get(Field, field_id)
        if field is None or not pol.can_view_field(session, current_user(), field):
            return problem(404, "No such field")
        plantings = list(session.scalars(select(Planting).where(Planting.field_id == field_id)))
        return field_view(field, plantings)


@bp.post("/farms/<int:farm_id>/fields")
@writes(Role.FARMER, Role.ADMIN, target="farm")
@doc(
    "Add a field (GeoJSON polygon; area computed)",
    tag="registry",
    body={"name": "string", "crop": "string", "geometry": "object"},
)
def create_field(farm_id: int) -> Response | tuple[Response, int]:
    body = json_body()
    with services().db.session() as session:
        farm = session.get(Farm, farm_id)
        if farm is None or not pol.can_view_farm(session, current_user(), farm_id):
            return problem(404, "No such farm")
        if not pol.can_edit_farm(session, current_user(), farm):
            return problem(403, "Only the farm's owner may change it")
        crop = get_crop(str(body.get("crop", ""))).key  # the advice needs a known crop (else 400)
        field = Field(name=str(body.get("name", ""))[:200] or "?", crop=crop)
        try:
            field.geometry = body.get("geometry") or {}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return problem(400, "Invalid geometry", str(exc))
        field.farm = farm  # only now: a refused field must not ride into the session with its farm
        session.add(field)
        session.flush()
        return jsonify(field_view(field)), 201


@bp.get("/communes/<int:area_id>/summary")
@doc("Aggregates for a commune (no farm detail)", tag="registry")
def commune_summary(area_id: int) -> Response | dict[str, Any]:
    with services().db.session() as session:
        areas = pol.visible_area_ids(session, current_user())
        if areas is not None and area_id not in areas:
            return problem(404, "No such commune")
        farms, fields, area = session.execute(
            select(
                func.count(func.distinct(Farm.id)),
                func.count(Field.id),
                func.coalesce(func.sum(Field.area_m2), 0),
            )
            .select_from(Farm)
            .outerjoin(Field, Field.farm_id == Farm.id)
            .where(Farm.commune_id == area_id)
        ).one()
        crops = dict(
            session.execute(
                select(Field.crop, func.count())
                .join(Farm)
                .where(Farm.commune_id == area_id)
                .group_by(Field.crop)
            ).all()
        )
        return {"area_id": area_id, "farms": farms, "fields": fields, "area_m2": float(area), "crops": crops}
