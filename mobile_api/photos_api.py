"""Photo diagnosis: upload photos of a plant, get the answer or "sent to the officer", follow the review.

Photos are stored content-addressed without metadata in the configured blob store; the position
is kept only when the farmer ticks "share location". The review (``server.farm.review``) moves
later: an officer confirms, corrects or asks for more photos; the farmer answers with photos or
says the answer is wrong. Every state reaches the farmer here, worded in the app's languages.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import String, cast, select

from mobile_api import common
from mobile_api.apidoc import doc
from mobile_api.auth import current_user, login_required, require_role, visible_farms, visible_field
from server.advisory.disease import vocabulary
from server.auth import Role
from server.auth.writes import writes
from server.errors import problem
from server.farm import diagnosis, locks, photos, review
from server.farm.models import Diagnosis
from server.pagination import id_arg
from server.registry.models import Field
from server.services import services
from server.validation import body_int, json_body

bp = Blueprint("photos", __name__)
REVIEW_STATES = {"confirmed": "confirm", "corrected": "correct"}  # the older officer endpoint's words
UPDATE_STATES = ("more_photos_requested", "confirmed", "corrected")  # officer replies shown on home
UPDATE_DAYS = 14


def diagnosis_json(d: Diagnosis, market: str) -> dict[str, Any]:
    """A diagnosis as the farmer app reads it; ``disease`` and ``treatments`` follow the label that
    holds (an officer's correction replaces the model's answer)."""
    final = review.final_label(d)
    entry = vocabulary.label(final)
    return {
        "id": d.id,
        "field_id": d.field_id,
        "crop": d.crop,
        "label": d.label,
        "confidence": d.confidence,
        "abstained": d.abstained,
        "reason": d.reason,
        "message": diagnosis.message(d.message_key, d.message_params),
        "message_key": d.message_key,
        "message_params": d.message_params,
        "photos": [f"/api/v1/app/photos/{h}" for h in d.photos],
        "created_at": d.created_at,
        "position": {"lat": d.lat, "lon": d.lon} if d.lat is not None else None,
        "disease": (
            {"label": final, "key": entry.disease.key if entry.disease else None, "name": dict(entry.names)}
            if entry
            else None
        ),
        "review": {
            "status": review.status(d),
            "label": d.review_label,
            "label_name": vocabulary.label_name(d.review_label),
            # An officer's answer that is no disease (server.farm.review.OUTCOMES): the app words it
            # as a sentence of its own, since "corrected to:" needs a disease name after it.
            "outcome": d.review_label if review.is_outcome(d.review_label) else None,
            "note": d.review_note,
            "at": d.reviewed_at,
            "actions": review.farmer_actions(d),
        },
        "treatments": review.treatments(final, d.crop, market)[:4],
    }


def _clean(files: list[Any]) -> list[photos.CleanPhoto] | Response:
    if not 1 <= len(files) <= photos.MAX_PHOTOS:
        return problem(422, "Wrong number of photos", f"send 1 to {photos.MAX_PHOTOS} files as 'photos'")
    try:
        return [photos.clean(f.read(photos.MAX_BYTES + 1)) for f in files]
    except photos.PhotoError as exc:
        return problem(413 if exc.code == "too_large" else 422, "Photo refused", str(exc), code=exc.code)


def _store(cleaned: list[photos.CleanPhoto]) -> list[str]:
    return [photos.keep(p.data) for p in cleaned]


def _form_position(lat: str, lon: str) -> tuple[float, float] | None:
    return photos.position(request.form.get(lat, type=float), request.form.get(lon, type=float))


def _position(cleaned: list[photos.CleanPhoto]) -> tuple[float | None, float | None]:
    """Where the photo was taken, for a farmer who shares it: the phone's fix (``lat``, ``lon``),
    else the photos' EXIF, else ``gps_lat``/``gps_lon`` — the EXIF position the app read from the
    original before it shrank the photo (re-encoding on the phone drops the EXIF)."""
    found = (
        _form_position("lat", "lon")
        or next((p.gps for p in cleaned if p.gps), None)
        or _form_position("gps_lat", "gps_lon")
    )
    return found if found else (None, None)


@bp.post("/api/v1/app/photos")
@writes(Role.FARMER, Role.ADMIN, target="field")
@doc(
    "Upload 1-5 photos of a plant and get the diagnosis (multipart: photos, field_id, "
    "idempotency_key, share_location, lat, lon: the phone's fix, gps_lat, gps_lon: the photo's "
    "EXIF position read on the phone; a position is kept only with share_location=1)",
    tag="app",
)
@login_required
def upload() -> Response | tuple[dict[str, Any], int]:
    key = common.idempotency_key(request.form.to_dict())
    if key is None:
        return problem(422, "Idempotency key missing")
    with services().db.session() as db:
        field = visible_field(db, body_int(request.form.to_dict(), "field_id"))
        if field is None:
            return problem(404, "Unknown field")
        old = common.replayed(db, Diagnosis, key)
        if old is not None:
            return diagnosis_json(old, locks.market(db, old.field_id)), 200
        cleaned = _clean(request.files.getlist("photos"))
        if isinstance(cleaned, Response):
            return cleaned
        result = diagnosis.classify([p.data for p in cleaned], field.crop)
        message_key, message_params = result.pop("message_key"), result.pop("message_params")
        share = request.form.get("share_location") == "1"
        lat, lon = _position(cleaned) if share else (None, None)
        d = Diagnosis(
            idempotency_key=key,
            field_id=field.id,
            crop=field.crop,
            photos=_store(cleaned),
            label=result["label"],
            confidence=float(result["confidence"]),
            abstained=bool(result["abstained"]),
            reason=str(result["reason"]),
            message_key=message_key,
            message_params=message_params,
            result=result,
            lat=lat,
            lon=lon,
            review_status=review.initial_status(bool(result["abstained"])),
            created_by=common.user_id(),
            created_at=common.now_s(),
        )
        db.add(d)
        db.flush()
        return diagnosis_json(d, locks.market(db, field.id)), 201


def _own(db: Any, diag_id: int) -> Diagnosis | None:
    d = db.get(Diagnosis, diag_id)
    return d if d is not None and visible_field(db, d.field_id) is not None else None


def _actor() -> review.Actor:
    """Whoever may see the field moves the case as its farmer; the log keeps their real role."""
    user = current_user()
    return review.Actor(user.id if user else None, user.role.value if user else "farmer")


@bp.post("/api/v1/app/diagnoses/<int:diag_id>/photos")
@writes(Role.FARMER, Role.ADMIN, target="diagnosis")
@doc(
    'Farmer: answer an officer\'s "send more photos" with 1-5 photos (multipart: photos, '
    "idempotency_key); the case goes back to the officer",
    tag="app",
)
@login_required
def more_photos(diag_id: int) -> Response | tuple[dict[str, Any], int]:
    key = common.idempotency_key(request.form.to_dict())
    if key is None:
        return problem(422, "Idempotency key missing")
    with services().db.session() as db:
        d = _own(db, diag_id)
        if d is None:
            return problem(404, "Unknown diagnosis")
        if review.replayed(db, key, _actor()) is not None:
            return diagnosis_json(d, locks.market(db, d.field_id)), 200
        if not review.allowed(d.review_status, "add_photos"):
            return problem(409, "No photos asked for", "this case waits for no photos", code="not_allowed")
        cleaned = _clean(request.files.getlist("photos"))
        if isinstance(cleaned, Response):
            return cleaned
        new = _store(cleaned)
        earlier = [photos.stored(h) for h in d.photos]  # the model looks at the whole plant again
        images = [b for b in earlier if b is not None] + [p.data for p in cleaned]
        result = diagnosis.classify(images[-photos.MAX_PHOTOS * 2 :], d.crop)
        review.add_photos(db, d, new, result, _actor(), common.now_s(), key)
        return diagnosis_json(d, locks.market(db, d.field_id)), 201


@bp.post("/api/v1/app/diagnoses/<int:diag_id>/dispute")
@writes(Role.FARMER, Role.ADMIN, target="diagnosis")
@doc(
    "Farmer: the answer is wrong — the case goes back to the officer (JSON: note, idempotency_key)",
    tag="app",
    body={"note": "string", "idempotency_key": "string"},
)
@login_required
def dispute(diag_id: int) -> Response | dict[str, Any]:
    body = json_body()
    key = common.idempotency_key(body)
    with services().db.session() as db:
        d = _own(db, diag_id)
        if d is None:
            return problem(404, "Unknown diagnosis")
        if key is not None and review.replayed(db, key, _actor()) is not None:
            return diagnosis_json(d, locks.market(db, d.field_id))
        try:
            review.dispute(db, d, _actor(), common.now_s(), str(body.get("note") or "")[:2000], key)
        except review.ReviewError as exc:
            return problem(409, "Cannot dispute now", str(exc), code=exc.code)
        return diagnosis_json(d, locks.market(db, d.field_id))


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


@bp.get("/api/v1/app/diagnoses/updates")
@doc(
    "Officer replies for the home screen: photos asked for, and confirmations or corrections "
    f"of the last {UPDATE_DAYS} days, on the fields of one farm (query: farm)",
    tag="app",
    query={"farm": "integer: farm id (default: every farm the user may see)"},
)
@login_required
def updates() -> dict[str, Any]:
    since = common.now_s() - UPDATE_DAYS * 86400
    with services().db.session() as db:
        farms = visible_farms(db)
        wanted = id_arg("farm")
        if wanted is not None:
            farms = farms & {wanted}
        fields = {f.id: f for f in db.scalars(select(Field).where(Field.farm_id.in_(farms)))}
        rows = db.scalars(
            select(Diagnosis)
            .where(Diagnosis.field_id.in_(fields), Diagnosis.review_status.in_(UPDATE_STATES))
            .order_by(Diagnosis.reviewed_at.desc())
            .limit(20)
        ).all()
        asked = "more_photos_requested"
        shown = [d for d in rows if d.review_status == asked or (d.reviewed_at or 0) >= since]
        return {
            "diagnoses": [
                diagnosis_json(d, locks.market(db, d.field_id)) | {"field_name": fields[d.field_id].name}
                for d in shown
            ]
        }


@bp.get("/api/v1/app/photos/<digest>")
@doc("A stored photo (JPEG without metadata)", tag="app", produces="image/jpeg")
@login_required
def photo(digest: str) -> Response:
    with services().db.session() as db:
        rows = db.scalars(select(Diagnosis).where(cast(Diagnosis.photos, String).contains(digest))).all()
        if not any(visible_field(db, d.field_id) for d in rows if digest in d.photos):
            return problem(404, "Unknown photo")
    data = photos.stored(digest)
    if data is None:
        return problem(404, "Unknown photo")
    return Response(
        data, mimetype="image/jpeg", headers={"Cache-Control": "private, max-age=31536000, immutable"}
    )


@bp.post("/api/v1/app/diagnoses/<int:diag_id>/review")
@writes(Role.OFFICER, Role.ADMIN, target="diagnosis")
@doc(
    "Officer: confirm or correct a diagnosis (the review desk's POST /api/v1/officer/reviews/ID "
    "does the same and can ask for more photos)",
    tag="app",
    body={"status": "string", "label": "string", "note": "string"},
)
@login_required
def review_diagnosis(diag_id: int) -> Response | dict[str, Any]:
    """Officer: confirm or correct the answer, with a note the farmer sees."""
    denied = require_role("officer", "admin")
    if denied:
        return denied
    body = json_body()
    event = REVIEW_STATES.get(str(body.get("status")))
    if event is None or (event == "correct" and not body.get("label")):
        allowed = sorted(REVIEW_STATES)
        return problem(422, "Invalid review", f"status one of {allowed}; 'corrected' needs a label")
    with services().db.session() as db:
        d = _own(db, diag_id)
        if d is None:
            return problem(404, "Unknown diagnosis")
        user = current_user()
        try:
            review.decide(
                db,
                d,
                event,
                review.Actor(user.id if user else None, "officer"),
                common.now_s(),
                label=str(body.get("label") or ""),
                note=str(body.get("note") or "")[:2000],
            )
        except review.ReviewError as exc:
            return problem(422, "Invalid review", str(exc), code=exc.code)
        return diagnosis_json(d, locks.market(db, d.field_id))
