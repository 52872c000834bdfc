"""Photo diagnosis: upload one or more photos of a plant, get the answer or "sent to the officer".

Photos are stored content-addressed without metadata; the position is kept only when the
farmer ticks "share location". The officer's review (confirm / correct) is set later.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request
from sqlalchemy import String, cast, select

from mobile_api import common
from mobile_api.apidoc import doc
from mobile_api.auth import current_user, login_required, require_role, visible_field
from mobile_api.blobs import LocalBlobStore
from server.errors import problem
from server.farm import compliance, locks, photos
from server.farm import diagnosis as vision_service
from server.farm.models import Diagnosis
from server.services import services

bp = Blueprint("photos", __name__)
REVIEW_STATES = ("confirmed", "corrected", "not_needed")


def blob_store() -> LocalBlobStore:
    return LocalBlobStore(current_app.config["RUONGSO_SETTINGS"].data_dir / "blobs")


def diagnosis_json(d: Diagnosis, market: str) -> dict[str, Any]:
    label = d.review_label if d.review_status == "corrected" else d.label
    condition = label.split("__", 1)[-1] if label else None
    treat = compliance.treatments(condition, d.crop, market) if condition and condition != "healthy" else []
    return {
        "id": d.id,
        "field_id": d.field_id,
        "crop": d.crop,
        "label": d.label,
        "confidence": d.confidence,
        "abstained": d.abstained,
        "reason": d.reason,
        "message": {"vi": d.message_vi, "en": d.message_en},
        "photos": [f"/api/v1/app/photos/{h}" for h in d.photos],
        "created_at": d.created_at,
        "position": {"lat": d.lat, "lon": d.lon} if d.lat is not None else None,
        "review": {
            "status": d.review_status,
            "label": d.review_label,
            "note": d.review_note,
            "at": d.reviewed_at,
        },
        "treatments": treat[:4],
    }


def _classify(cleaned: list[photos.CleanPhoto], crop: str) -> dict[str, Any]:
    dx = vision_service.diagnoser()
    if dx is None:
        return {
            "label": None,
            "confidence": 0.0,
            "abstained": True,
            "reason": "model_unavailable",
            "message_vi": "Chưa chẩn đoán tự động được — cán bộ khuyến nông sẽ xem ảnh.",
            "message_en": "No automatic diagnosis right now — an extension officer will look.",
        }
    each = [dx.diagnose(p.data, crop=vision_service.classifier_crop(crop)) for p in cleaned]
    result = each[0] if len(each) == 1 else vision_service.combine(dx, each)
    return result.to_dict()


@bp.post("/api/v1/app/photos")
@doc(
    "Upload 1-5 photos of a plant and get the diagnosis (multipart: photos, field_id, "
    "idempotency_key, share_location, lat, lon)",
    tag="app",
)
@login_required
def upload() -> Response | tuple[dict[str, Any], int]:
    key = common.idempotency_key(request.form.to_dict())
    files = request.files.getlist("photos")
    if key is None:
        return problem(422, "Idempotency key missing")
    if not 1 <= len(files) <= photos.MAX_PHOTOS:
        return problem(422, "Wrong number of photos", f"send 1 to {photos.MAX_PHOTOS} files as 'photos'")
    with services().db.session() as db:
        field = visible_field(db, request.form.get("field_id", 0, type=int))
        if field is None:
            return problem(404, "Unknown field")
        old = db.scalar(select(Diagnosis).where(Diagnosis.idempotency_key == key))
        if old is not None:
            return diagnosis_json(old, locks.market(db, field.id)), 200
        try:
            cleaned = [photos.clean(f.read(photos.MAX_BYTES + 1)) for f in files]
        except photos.PhotoError as exc:
            return problem(413 if exc.code == "too_large" else 422, "Photo refused", str(exc), code=exc.code)
        result = _classify(cleaned, field.crop)
        share = request.form.get("share_location") == "1"
        lat, lon = request.form.get("lat", type=float), request.form.get("lon", type=float)
        if share and (lat is None or lon is None):
            lat, lon = next((p.gps for p in cleaned if p.gps), (None, None))
        d = Diagnosis(
            idempotency_key=key,
            field_id=field.id,
            crop=field.crop,
            photos=[blob_store().put(p.data) for p in cleaned],
            label=result["label"],
            confidence=float(result["confidence"]),
            abstained=bool(result["abstained"]),
            reason=str(result["reason"]),
            message_vi=str(result["message_vi"]),
            message_en=str(result["message_en"]),
            result=result,
            lat=lat if share else None,
            lon=lon if share else None,
            review_status="pending" if result["abstained"] else "not_needed",
            created_by=common.user_id(),
            created_at=common.now_s(),
        )
        db.add(d)
        db.flush()
        return diagnosis_json(d, locks.market(db, field.id)), 201


@bp.get("/api/v1/app/fields/<int:field_id>/diagnoses")
@doc("Photo diagnoses of a field with the officer's review", tag="app")
@login_required
def list_for_field(field_id: int) -> Response | dict[str, Any]:
    with services().db.session() as db:
        if visible_field(db, field_id) is None:
            return problem(404, "Unknown field")
        rows = db.scalars(
            select(Diagnosis).where(Diagnosis.field_id == field_id).order_by(Diagnosis.id.desc())
        ).all()
        market = locks.market(db, field_id)
        return {"diagnoses": [diagnosis_json(d, market) for d in rows]}


@bp.get("/api/v1/app/photos/<digest>")
@doc("A stored photo (JPEG without metadata)", tag="app", produces="image/jpeg")
@login_required
def photo(digest: str) -> Response:
    with services().db.session() as db:
        rows = db.scalars(select(Diagnosis).where(cast(Diagnosis.photos, String).contains(digest))).all()
        if not any(visible_field(db, d.field_id) for d in rows if digest in d.photos):
            return problem(404, "Unknown photo")
    data = blob_store().get(digest)
    if data is None:
        return problem(404, "Unknown photo")
    return Response(
        data, mimetype="image/jpeg", headers={"Cache-Control": "private, max-age=31536000, immutable"}
    )


@bp.post("/api/v1/app/diagnoses/<int:diag_id>/review")
@doc(
    "Officer: confirm or correct a diagnosis",
    tag="app",
    body={"status": "string", "label": "string", "note": "string"},
)
@login_required
def review(diag_id: int) -> Response | dict[str, Any]:
    """Officer: confirm or correct the answer, with a note the farmer sees."""
    denied = require_role("officer", "admin")
    if denied:
        return denied
    body = request.get_json(silent=True) or {}
    status = body.get("status")
    if status not in REVIEW_STATES or (status == "corrected" and not body.get("label")):
        return problem(422, "Invalid review", f"status one of {REVIEW_STATES}; 'corrected' needs a label")
    with services().db.session() as db:
        d = db.get(Diagnosis, diag_id)
        if d is None or visible_field(db, d.field_id) is None:
            return problem(404, "Unknown diagnosis")
        user = current_user()
        d.review_status, d.review_label = status, body.get("label")
        d.review_note, d.reviewed_at = str(body.get("note") or "")[:2000], common.now_s()
        d.reviewed_by = str(user.id) if user else None
        return diagnosis_json(d, locks.market(db, d.field_id))
