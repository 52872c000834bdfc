"""Review desk: diagnoses the model abstained on or the farmer disputed, and an audit sample of its
confident answers (``review_sample_rate`` in settings); confirm, correct, ask again.

The decision is a move of the one review state machine (``server.farm.review``): it is written on
the farmer's diagnosis (which the farmer app shows) and kept as a ``ReviewDecision`` (the training
export reads those). The desk shows the classifier's own best guesses (its ``top3``). A correction
may name any class of any crop or one of the outcomes (another crop, not a plant, can't tell);
how often officers agree with the model, per class, is at ``/api/v1/officer/agreement``
(the model card reads it).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response
from sqlalchemy import Text, cast, select

from mobile_api.officer import access, context, pages
from server.advisory.disease import vocabulary
from server.auth import current_user
from server.auth.roles import Role
from server.auth.writes import writes
from server.errors import problem
from server.farm import diagnosis, review
from server.officer import agreement, cases
from server.openapi import doc
from server.registry.models import Field
from server.services import services
from server.validation import json_body

bp = Blueprint("officer_review", __name__)
ACTIONS = review.OFFICER_EVENTS


def _item(
    d: Any, field: Field, commune: str, weather: dict[str, Any], disputed: str | None
) -> dict[str, Any]:
    return {
        "id": d.id,
        "status": review.status(d),
        "sampled": review.status(d) == "not_needed",  # a confident answer from the audit sample
        "created_at": d.created_at,
        "crop": d.crop,
        "model": {
            "label": d.label,
            "name": vocabulary.label_name(d.label),
            "confidence": d.confidence,
            "abstained": d.abstained,
            "reason": d.reason,
            "candidates": review.candidates(d),
        },
        "review": {
            "label": d.review_label,
            "name": vocabulary.label_name(d.review_label),
            "note": d.review_note,
            "at": d.reviewed_at,
            "farmer_note": disputed,
        },
        "message": diagnosis.message(d.message_key, d.message_params),
        "photos": [f"/api/v1/officer/photos/{h}" for h in d.photos],
        "field": {
            "id": field.id,
            "name": field.name,
            "crop": field.crop,
            "classifier_crop": vocabulary.classifier_crop(field.crop),
            "farm": field.farm.name,
            "commune": commune,
            "area_m2": round(field.area_m2),
        },
        "weather": weather,
    }


@bp.get("/api/v1/officer/reviews")
@access.officer_only
@doc(
    "Review desk: diagnoses the model abstained on or the farmer disputed, and a sample of its "
    "confident answers",
    tag="officer",
)
def queue() -> Response | dict[str, Any]:
    model = cases.diagnosis_model()
    rate = pages.review_sample_rate()
    if model is None:
        return {"items": [], "not_shared": 0, "labels": cases.labels(), "outcomes": list(review.OUTCOMES)}
    svc, now = services(), int(time.time())
    with svc.db.session() as db:
        s = access.scope(db)
        fields = {fl.id: fl for f in s.farms for fl in f.fields}
        rows = db.scalars(
            select(model)
            .where(model.field_id.in_(fields), model.review_status.in_(cases.QUEUE_STATES))
            .order_by(model.created_at)
        ).all()
        if rate > 0:
            confident = db.scalars(
                select(model).where(model.field_id.in_(fields), model.review_status == "not_needed")
            )
            rows = sorted(
                [*rows, *(d for d in confident if review.sampled(d.id, rate))], key=lambda d: d.created_at
            )
        shown = [d for d in rows if s.detail(fields[d.field_id].farm_id)]
        weather: dict[int, dict[str, Any]] = {}
        disputes = review.dispute_notes(db, [d.id for d in shown if d.review_status == "disputed"])
        items = []
        for d in shown:
            fl = fields[d.field_id]
            if fl.id not in weather:
                weather[fl.id] = context.last_day(svc.store, fl, now)
            commune = access.commune_name(s, fl.farm)
            items.append(_item(d, fl, commune, weather[fl.id], disputes.get(d.id)))
        return {
            "items": items,
            "not_shared": len(rows) - len(shown),
            "labels": cases.labels(),
            "outcomes": list(review.OUTCOMES),
            "crops": {lb.crop: vocabulary.crop_names(lb.crop) for lb in vocabulary.labels().values()},
            "sample_rate": rate,
        }


@bp.get("/api/v1/officer/agreement")
@access.officer_only
@doc(
    "Officer/model agreement per classifier class, from the review desk's decisions (for the model card)",
    tag="officer",
)
def agreement_view() -> dict[str, Any]:
    model = cases.diagnosis_model()
    with services().db.session() as db:
        s = access.scope(db)
        fields = [fl.id for f in s.farms for fl in f.fields]
        ids: list[int] = (
            list(db.scalars(select(model.id).where(model.field_id.in_(fields)))) if model is not None else []
        )
        rows = agreement.for_diagnoses(db, ids)
    return agreement.document(rows, pages.review_sample_rate(), int(time.time()))


@bp.post("/api/v1/officer/reviews/<int:diag_id>")
@writes(Role.OFFICER, Role.ADMIN, target="diagnosis")
@access.officer_only
@doc("Confirm, correct or ask for more photos on a diagnosis", tag="officer")
def decide(diag_id: int) -> Response | dict[str, Any]:
    body = json_body()
    action, label = str(body.get("action") or ""), str(body.get("label") or "").strip()
    note = str(body.get("note") or "").strip()[:2000]
    if action not in ACTIONS:
        return problem(422, "Invalid review", f"action must be one of {sorted(ACTIONS)}")
    model = cases.diagnosis_model()
    if model is None:
        return problem(404, "Unknown diagnosis")
    with services().db.session() as db:
        d = db.get(model, diag_id)
        s = access.scope(db)
        field = db.get(Field, d.field_id) if d is not None else None
        if d is None or field is None or not s.detail(field.farm_id):
            return problem(404, "Unknown diagnosis")
        user = current_user()
        actor = review.Actor(user.id if user else None, "officer")
        try:
            review.decide(db, d, action, actor, int(time.time()), label=label, note=note)
        except review.ReviewError as exc:
            status = 409 if exc.code == "not_allowed" else 422
            return problem(status, "Invalid review", str(exc), code=exc.code)
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
