"""Plantings (crop cycles) on a field: recorded by the farm's owner, read by whoever sees the field.

The same records the farmer edits on the app's field screen (``PUT /api/v1/app/fields/<id>/season``)
and every advice reads (``server.registry.plantings.seasons``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, jsonify

from common.timezone import local_today
from server.advisory.kc import get_crop
from server.auth import current_user
from server.auth import policy as pol
from server.auth.roles import Role
from server.auth.writes import writes
from server.errors import problem
from server.openapi import doc
from server.registry.models import Field
from server.registry.plantings import Planting, sync_field_crop
from server.registry.views import planting_view
from server.services import services
from server.validation import json_body

bp = Blueprint("plantings", __name__, url_prefix="/api/v1")
DATES = ("sown_on", "transplanted_on", "expected_harvest")


def _dates(body: dict[str, Any]) -> dict[str, date | None]:
    out: dict[str, date | None] = {}
    for key in DATES:
        raw = body.get(key)
        out[key] = date.fromisoformat(raw) if isinstance(raw, str) and raw else None
    sown, harvest = out["sown_on"] or out["transplanted_on"], out["expected_harvest"]
    if sown and harvest and harvest <= sown:
        raise ValueError("expected_harvest must be after sowing/transplanting")
    return out


@bp.post("/fields/<int:field_id>/plantings")
@writes(Role.FARMER, Role.ADMIN, target="field")
@doc("Record a planting on a field", tag="registry",
     body={"crop": "string", "variety": "string", "sown_on": "string", "transplanted_on": "string",
           "expected_harvest": "string"})  # fmt: skip
def create_planting(field_id: int) -> Response | tuple[Response, int]:
    body = json_body()
    with services().db.session() as session:
        field = session.get(Field, field_id)
        if field is None or not pol.can_view_field(session, current_user(), field):
            return problem(404, "No such field")
        if not pol.can_edit_farm(session, current_user(), field.farm):
            return problem(403, "Only the farm's owner may change it")
        try:
            dates = _dates(body)
        except ValueError as exc:
            return problem(400, "Invalid planting", str(exc))
        crop = get_crop(str(body.get("crop") or field.crop)).key  # unknown: 400 (server/errors.py)
        variety = str(body["variety"])[:100] if body.get("variety") else None  # a list is no name
        planting = Planting(field_id=field_id, crop=crop, variety=variety, **dates)
        session.add(planting)
        session.flush()
        sync_field_crop(session, field, local_today())  # the new planting may be the current one
        return jsonify(planting_view(planting)), 201
