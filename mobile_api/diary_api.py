"""Farm diary over HTTP: sprays and fertiliser in a few taps, ban warnings, the harvest-safe date.

POST is idempotent on the client's key (a retried or double-tapped offline save returns the entry
already stored); PUT needs ``If-Match`` with the entry's version and answers 412 with the stored
entry when it changed elsewhere. A mistaken entry is voided (``POST .../void`` with a reason),
never deleted. The rules themselves live in ``server.farm.diary``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from common.timezone import local_today
from mobile_api import common
from mobile_api.apidoc import doc
from mobile_api.auth import login_required, visible_field
from server.advisory.compliance import fertilisers
from server.auth.models import User
from server.auth.roles import Role
from server.auth.writes import writes
from server.errors import problem
from server.farm import compliance, diary, locks
from server.farm.models import DiaryEntry
from server.registry.models import Field
from server.services import services
from server.validation import body_int, json_body

bp = Blueprint("diary", __name__)
KINDS = diary.KINDS


def _refused(err: diary.DiaryError) -> Response:
    return problem(err.status, "Invalid diary entry", err.detail, code=err.code)


def _reply(db: Any, e: DiaryEntry, f: Field, status: int) -> Response:
    market = locks.market(db, f.id)
    body = {
        "entry": diary.entry_json(e, market, f.crop, _names(db, [e])),
        "harvest": _harvest(db, f),
        "lot_gate": locks.field_verdict(db, f).as_json(),
    }
    resp = jsonify(body)
    resp.status_code = status
    resp.headers["ETag"] = f'"{e.version}"'
    return resp


def _harvest(db: Any, f: Field) -> dict[str, Any]:
    return locks.harvest_lock(db, f).as_json()


def _names(db: Any, entries: list[DiaryEntry]) -> dict[str, str]:
    """Display names of whoever voided these entries (shown in the history: who, when, why)."""
    ids = {int(e.voided_by) for e in entries if e.voided_by and e.voided_by.isdigit()}
    rows = db.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    return {str(u.id): u.name for u in rows}


@bp.get("/api/v1/app/fields/<int:field_id>/catalogue")
@doc("Pesticide and fertiliser catalogues for a field, with ban warnings for its market", tag="app")
@login_required
def catalogue(field_id: int) -> Response | dict[str, Any]:
    with services().db.session() as db:
        f = visible_field(db, field_id)
        if f is None:
            return problem(404, "Unknown field")
        market = locks.market(db, f.id)
        return {
            "market": market,
            "products": compliance.products(f.crop, market),
            "fertilisers": [x.as_json() for x in fertilisers.fertilisers().values()],
        }


@bp.get("/api/v1/app/fields/<int:field_id>/diary")
@doc("Diary entries of a field (voided ones too), its harvest lock and whether a lot may be made", tag="app")
@login_required
def list_entries(field_id: int) -> Response | dict[str, Any]:
    with services().db.session() as db:
        f = visible_field(db, field_id)
        if f is None:
            return problem(404, "Unknown field")
        rows = list(
            db.scalars(
                select(DiaryEntry)
                .where(DiaryEntry.field_id == f.id)
                .order_by(DiaryEntry.applied_on.desc(), DiaryEntry.id.desc())
            )
        )
        market, names = locks.market(db, f.id), _names(db, rows)
        return {
            "entries": [diary.entry_json(e, market, f.crop, names) for e in rows],
            "harvest": _harvest(db, f),
            "lot_gate": locks.field_verdict(db, f).as_json(),
        }


@bp.post("/api/v1/app/diary")
@writes(Role.FARMER, Role.ADMIN, target="field")
@doc(
    "Record a spray or fertiliser (idempotent on Idempotency-Key; 400 for a date after today)",
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
    body = json_body()
    key = common.idempotency_key(body)
    if key is None:
        return problem(422, "Idempotency key missing", "send Idempotency-Key (8-64 of A-Z a-z 0-9 _ -)")
    field_id = body_int(body, "field_id")
    try:
        with services().db.session() as db:
            f = visible_field(db, field_id)
            if f is None:
                return problem(404, "Unknown field")
            old = common.replayed(db, DiaryEntry, key)
            if old is not None:  # a retry from the offline queue: the same entry, not a second one
                return _reply(db, old, f, 200)
            now = common.now_s()
            e = DiaryEntry(
                idempotency_key=key, field_id=f.id, created_by=common.user_id(), created_at=now,
                updated_at=now, version=1,
            )  # fmt: skip
            try:
                diary.apply(e, body, f.crop, locks.market(db, f.id), local_today())
            except diary.DiaryError as err:
                return _refused(err)
            db.add(e)
            db.flush()
            return _reply(db, e, f, 201)
    except IntegrityError:  # two copies of one request at once: the unique key let one in
        pass
    with services().db.session() as db:  # answer the losing copy with the winner's row
        stored = common.replayed(db, DiaryEntry, key)
        f = visible_field(db, field_id)
        if stored is None or f is None:
            return problem(409, "Conflict", "retry with the same Idempotency-Key")
        return _reply(db, stored, f, 200)


def _owned(db: Any, entry_id: int) -> tuple[DiaryEntry, Field] | None:
    e = db.get(DiaryEntry, entry_id)
    f = visible_field(db, e.field_id) if e else None
    return (e, f) if e is not None and f is not None else None


def _stale(e: DiaryEntry, market: str, crop: str) -> Response | None:
    """412 with the stored entry when ``If-Match`` names another version; None when it matches."""
    if request.headers.get("If-Match", "").strip('W/"') == str(e.version):
        return None
    return problem(
        412, "Changed elsewhere", "the entry was changed since you read it",
        current=diary.entry_json(e, market, crop),
    )  # fmt: skip


@bp.put("/api/v1/app/diary/<int:entry_id>")
@writes(Role.FARMER, Role.ADMIN, target="diary_entry")
@doc(
    "Change a diary entry (If-Match: its version; 412 when changed elsewhere; 409 once voided)",
    tag="app",
    body={"kind": "string", "product_id": "string", "phi_days": "integer", "applied_on": "string"},
)
@login_required
def update(entry_id: int) -> Response:
    body = json_body()
    with services().db.session() as db:
        found = _owned(db, entry_id)
        if found is None:
            return problem(404, "Unknown diary entry")
        e, f = found
        market = locks.market(db, f.id)
        if (stale := _stale(e, market, f.crop)) is not None:
            return stale
        if e.voided_at is not None:
            return problem(409, "Entry voided", "a voided entry cannot be changed", code="voided")
        try:
            diary.apply(e, body, f.crop, market, local_today())
        except diary.DiaryError as err:  # apply changes nothing before every check has passed
            return _refused(err)
        e.version += 1
        e.updated_at = common.now_s()
        db.flush()
        return _reply(db, e, f, 200)


@bp.post("/api/v1/app/diary/<int:entry_id>/void")
@writes(Role.FARMER, Role.ADMIN, target="diary_entry")
@doc(
    "Void a mistaken diary entry (who, when, why are kept; it stays in the history struck through "
    "and no longer counts for the harvest lock). If-Match: its version, when sent",
    tag="app",
    body={"reason": "string"},
)
@login_required
def void(entry_id: int) -> Response:
    body = json_body()
    with services().db.session() as db:
        found = _owned(db, entry_id)
        if found is None:
            return problem(404, "Unknown diary entry")
        e, f = found
        if request.headers.get("If-Match") and (stale := _stale(e, locks.market(db, f.id), f.crop)):
            return stale
        try:  # voiding twice changes nothing: a retried request gets the same answer
            diary.void(e, common.user_id(), str(body.get("reason") or ""), common.now_s())
        except diary.DiaryError as err:
            return _refused(err)
        db.flush()
        return _reply(db, e, f, 200)
