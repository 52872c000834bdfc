"""Farm diary: sprays and fertiliser in a few taps, with ban warnings and the harvest-safe date.

POST is idempotent on the client's key; PUT needs ``If-Match`` with the entry's version and
answers 412 with the stored entry when it changed elsewhere (the app shows the conflict).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select

from mobile_api import common
from mobile_api.apidoc import doc
from mobile_api.auth import login_required, visible_field
from server.errors import problem
from server.farm import compliance, locks
from server.farm.models import DiaryEntry
from server.services import services

bp = Blueprint("diary", __name__)
KINDS = ("spray", "fertiliser", "other")


def entry_json(e: DiaryEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "idempotency_key": e.idempotency_key,
        "field_id": e.field_id,
        "kind": e.kind,
        "product_id": e.product_id,
        "product_name": e.product_name,
        "actives": e.actives,
        "amount": e.amount,
        "unit": e.unit,
        "phi_days": e.phi_days,
        "applied_on": e.applied_on.isoformat(),
        "note": e.note,
        "warnings": e.warnings,
        "version": e.version,
        "updated_at": e.updated_at,
    }


def _reply(e: DiaryEntry, status: int, lock: dict[str, Any]) -> Response:
    resp = jsonify({"entry": entry_json(e), "harvest": lock})
    resp.status_code = status
    resp.headers["ETag"] = f'"{e.version}"'
    return resp


def _apply(e: DiaryEntry, body: dict[str, Any], crop: str, market: str) -> str | None:
    """Copy validated fields from ``body`` into ``e``; returns an error text or None."""
    kind = body.get("kind", "spray")
    applied = common.parse_date(body.get("applied_on") or common.today().isoformat())
    if kind not in KINDS or applied is None:
        return f"kind one of {KINDS}; applied_on YYYY-MM-DD"
    product = next((p for p in compliance.products(crop, market) if p["id"] == body.get("product_id")), None)
    name = product["name"] if product else str(body.get("product_name") or "").strip()[:200]
    if not name:
        return "product_id from the catalogue or a product_name"
    try:
        phi = int(body["phi_days"]) if body.get("phi_days") not in (None, "") else None
        amount = float(body["amount"]) if body.get("amount") not in (None, "") else None
    except (TypeError, ValueError):
        return "phi_days and amount must be numbers"
    if kind == "spray" and (phi is None or not 0 <= phi <= 365):
        return "a spray needs phi_days from the product label (0-365)"
    e.kind, e.applied_on, e.product_name, e.phi_days, e.amount = kind, applied, name, phi, amount
    e.product_id = product["id"] if product else None
    e.actives = product["actives"] if product else [str(a) for a in body.get("actives", [])][:5]
    e.unit, e.note = str(body.get("unit") or "")[:20] or None, str(body.get("note") or "")[:2000]
    e.warnings = compliance.warnings_for(e.actives, market, crop)
    return None


@bp.get("/api/v1/app/fields/<int:field_id>/catalogue")
@doc("Pesticide catalogue for a field, with ban warnings for its market", tag="app")
@login_required
def catalogue(field_id: int) -> Response | dict[str, Any]:
    with services().db.session() as db:
        f = visible_field(db, field_id)
        if f is None:
            return problem(404, "Unknown field")
        market = locks.market(db, f.id)
        return {"market": market, "products": compliance.products(f.crop, market)}


@bp.get("/api/v1/app/fields/<int:field_id>/diary")
@doc("Diary entries of a field and its harvest lock", tag="app")
@login_required
def list_entries(field_id: int) -> Response | dict[str, Any]:
    with services().db.session() as db:
        f = visible_field(db, field_id)
        if f is None:
            return problem(404, "Unknown field")
        rows = db.scalars(
            select(DiaryEntry)
            .where(DiaryEntry.field_id == f.id)
            .order_by(DiaryEntry.applied_on.desc(), DiaryEntry.id.desc())
        ).all()
        return {"entries": [entry_json(e) for e in rows], "harvest": locks.harvest_lock(db, f).as_json()}


@bp.post("/api/v1/app/diary")
@doc(
    "Record a spray or fertiliser (idempotent on Idempotency-Key)",
    tag="app",
    body={
        "idempotency_key": "string",
        "field_id": "integer",
        "kind": "string",
        "product_id": "string",
        "product_name": "string",
        "phi_days": "integer",
        "amount": "number",
        "unit": "string",
        "applied_on": "string",
        "note": "string",
    },
)
@login_required
def create() -> Response:
    body = request.get_json(silent=True) or {}
    key = common.idempotency_key(body)
    if key is None:
        return problem(422, "Idempotency key missing", "send Idempotency-Key (8-64 of A-Z a-z 0-9 _ -)")
    with services().db.session() as db:
        f = visible_field(db, int(body.get("field_id") or 0))
        if f is None:
            return problem(404, "Unknown field")
        old = db.scalar(select(DiaryEntry).where(DiaryEntry.idempotency_key == key))
        if old is not None:  # a retry from the offline queue: the same entry, not a second one
            return _reply(old, 200, locks.harvest_lock(db, f).as_json())
        now = common.now_s()
        e = DiaryEntry(
            idempotency_key=key,
            field_id=f.id,
            created_by=common.user_id(),
            created_at=now,
            updated_at=now,
            version=1,
        )
        error = _apply(e, body, f.crop, locks.market(db, f.id))
        if error:
            return problem(422, "Invalid diary entry", error)
        db.add(e)
        db.flush()
        return _reply(e, 201, locks.harvest_lock(db, f).as_json())


@bp.put("/api/v1/app/diary/<int:entry_id>")
@doc(
    "Change a diary entry (If-Match: its version; 412 when changed elsewhere)",
    tag="app",
    body={"kind": "string", "product_id": "string", "phi_days": "integer", "applied_on": "string"},
)
@login_required
def update(entry_id: int) -> Response:
    body = request.get_json(silent=True) or {}
    with services().db.session() as db:
        e = db.get(DiaryEntry, entry_id)
        f = visible_field(db, e.field_id) if e else None
        if e is None or f is None:
            return problem(404, "Unknown diary entry")
        if request.headers.get("If-Match", "").strip('W/"') != str(e.version):
            return problem(
                412, "Changed elsewhere", "the entry was changed since you read it", current=entry_json(e)
            )
        error = _apply(e, body, f.crop, locks.market(db, f.id))
        if error:  # _apply changes nothing before every check has passed
            return problem(422, "Invalid diary entry", error)
        e.version += 1
        e.updated_at = common.now_s()
        db.flush()
        return _reply(e, 200, locks.harvest_lock(db, f).as_json())
