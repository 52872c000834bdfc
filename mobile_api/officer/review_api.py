"""Review desk: diagnoses the model abstained on or the farmer disputed; confirm, correct, ask again.

The answer is written on the farmer's diagnosis (``review_status``/``review_label``/``review_note``,
which the farmer app shows) and kept as a ``ReviewDecision`` (the training export reads those).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import Text, cast, select

from mobile_api.officer import access, context
from server.auth import current_user
from server.errors import problem
from server.officer import cases
from server.officer.models import ReviewDecision
from server.openapi import doc
from server.registry.models import Field
from server.services import services

bp = Blueprint("officer_review", __name__)
ACTIONS = {"confirm": "confirmed", "correct": "corrected", "more_photos": "more_photos"}


def _item(d: Any, field: Field, commune: str, weather: dict[str, Any]) -> dict[str, Any]:
    result = d.result or {}
    return {
        "id": d.id,
        "status": d.review_status,
        "created_at": d.created_at,
        "crop": d.crop,
        "model": {
            "label": d.label,
            "confidence": d.confidence,
            "abstained": d.abstained,
            "reason": d.reason,
            "candidates": result.get("top") or result.get("candidates") or [],
        },
        "message": {"vi": d.message_vi, "en": d.message_en},
        "photos": [f"/api/v1/officer/photos/{h}" for h in d.photos],
        "field": {
            "id": field.id,
            "name": field.name,
            "crop": field.crop,
            "farm": field.farm.name,
            "commune": commune,
            "area_m2": round(field.area_m2),
        },
        "weather": weather,
    }


@bp.get("/api/v1/officer/reviews")
@access.officer_only
@doc("Review desk: diagnoses the model abstained on or the farmer disputed", tag="officer")
def queue() -> Response | dict[str, Any]:
    model = cases.diagnosis_model()
    if model is None:
        return {"items": [], "not_shared": 0, "labels": cases.labels()}
    svc, now = services(), int(time.time())
    with svc.db.session() as db:
        s = access.scope(db)
        fields = {fl.id: fl for f in s.farms for fl in f.fields}
        rows = db.scalars(
            select(model)
            .where(model.field_id.in_(fields), model.review_status.in_(cases.QUEUE_STATES))
            .order_by(model.created_at)
        ).all()
        shown = [d for d in rows if s.detail(fields[d.field_id].farm_id)]
        weather: dict[int, dict[str, Any]] = {}
        items = []
        for d in shown:
            fl = fields[d.field_id]
            if fl.id not in weather:
                weather[fl.id] = context.last_day(svc.store, fl, now)
            items.append(_item(d, fl, access.commune_name(s, fl.farm), weather[fl.id]))
        return {"items": items, "not_shared": len(rows) - len(shown), "labels": cases.labels()}


@bp.post("/api/v1/officer/reviews/<int:diag_id>")
@access.officer_only
@doc("Confirm, correct or ask for more photos on a diagnosis", tag="officer")
def decide(diag_id: int) -> Response | dict[str, Any]:
    body = request.get_json(silent=True) or {}
    action, label = body.get("action"), str(body.get("label") or "").strip()
    note = str(body.get("note") or "").strip()[:2000]
    if action not in ACTIONS:
        return problem(422, "Invalid review", f"action must be one of {sorted(ACTIONS)}")
    if action == "correct" and not cases.valid_label(label):
        return problem(
            422, "Unknown label", "a correction must use one of the classifier's labels", code="unknown_label"
        )
    if action == "more_photos" and not note:
        return problem(422, "Say what to photograph", "more_photos needs a note for the farmer")
    model = cases.diagnosis_model()
    if model is None:
        return problem(404, "Unknown diagnosis")
    with services().db.session() as db:
        d = db.get(model, diag_id)
        s = access.scope(db)
        field = db.get(Field, d.field_id) if d is not None else None
        if d is None or field is None or not s.detail(field.farm_id):
            return problem(404, "Unknown diagnosis")
        if action == "confirm" and not d.label:
            return problem(422, "Nothing to confirm", "the model gave no label: correct it instead")
        user = current_user()
        held = label if action == "correct" else (d.label if action == "confirm" else None)
        d.review_status, d.review_label = ACTIONS[action], held if action != "more_photos" else None
        d.review_note, d.reviewed_at = note, int(time.time())
        d.reviewed_by = str(user.id) if user else None
        db.add(
            ReviewDecision(
                diagnosis_id=d.id,
                action=action,
                label=held,
                model_label=d.label,
                note=note,
                officer_id=user.id if user else None,
                at=d.reviewed_at,
            )
        )
        return {"id": d.id, "status": d.review_status, "label": d.review_label, "note": d.review_note}


@bp.get("/api/v1/officer/photos/<digest>")
@access.officer_only
@doc("A diagnosis photo by content hash (officer)", tag="officer", produces="image/jpeg")
def photo(digest: str) -> Response:
    model = cases.diagnosis_model()
    if model is None:
        return problem(404, "Unknown photo")
    with services().db.session() as db:
        s = access.scope(db)
        rows = db.scalars(select(model).where(cast(model.photos, Text).contains(digest))).all()
        fields = {fl.id: f.id for f in s.farms for fl in f.fields}
        if not any(digest in d.photos and s.detail(fields.get(d.field_id, -1)) for d in rows):
            return problem(404, "Unknown photo")
    data = context.read_photo(digest)
    if data is None:
        return problem(404, "Unknown photo")
    return Response(data, mimetype="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})
