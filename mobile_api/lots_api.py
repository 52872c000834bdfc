"""Harvest lots: created only when the compliance gate allows it; QR code and public page.

The gate (``server.farm.compliance.judge_lot``) refuses a lot while a pre-harvest interval runs or
is unknown, and when a spray up to the harvest holds an active banned in Vietnam or not approved
for the field's market (409 with every reason as message keys and parameters). The public page
and JSON judge the lot again when read, with today's catalogue, and flag it when it fails. They
show the lot's crop, place (commune, cooperative), dates and the field's recorded applications —
never a phone number, a person's name or the field polygon. Lot codes: ``server.advisory.lots``.
"""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, current_app, render_template, url_for
from sqlalchemy import select

from common.language import format_number
from common.timezone import local_today
from mobile_api import common
from mobile_api.apidoc import doc
from mobile_api.auth import login_required, public, visible_field
from mobile_api.catalogues import catalogue
from server.advisory import lots as lot_codes
from server.auth import Role
from server.auth.throttle import throttled
from server.auth.writes import writes
from server.errors import problem
from server.farm import compliance, locks
from server.farm.models import DiaryEntry, Lot
from server.registry.models import Field
from server.registry.plantings import GrowingArea
from server.services import services
from server.validation import BadRequestBody, body_int, json_body, number

bp = Blueprint("lots", __name__, template_folder="templates")
MAX_LOT_KG = 1e7  # 10,000 t: more than a cooperative harvests in a season


def lot_json(lot: Lot) -> dict[str, Any]:
    return {
        "id": lot.id,
        "code": lot.code,
        "field_id": lot.field_id,
        "crop": lot.crop,
        "market": lot.market,
        "harvest_date": lot.harvest_date.isoformat(),
        "quantity_kg": lot.quantity_kg,
        "qr_svg": f"/api/v1/lots/{lot.code}/qr.svg",
        "public_url": f"/lot/{lot.code}",
    }


@bp.post("/api/v1/app/lots")
@writes(Role.FARMER, Role.ADMIN, target="field")  # never an officer or manager (issue 16, F1)
@doc(
    "Create a harvest lot (409 with the reasons while a pre-harvest interval runs or a recorded "
    "spray holds an active banned in Vietnam or not approved for the field's market)",
    tag="app",
    body={
        "idempotency_key": "string",
        "field_id": "integer",
        "harvest_date": "string",
        "quantity_kg": "number",
    },
)
@login_required
def create() -> Response | tuple[dict[str, Any], int]:
    body = json_body()
    key = common.idempotency_key(body)
    if key is None:
        return problem(422, "Idempotency key missing")
    day = common.parse_date(body.get("harvest_date") or local_today().isoformat())
    if day is None:
        return problem(422, "Invalid harvest_date", "YYYY-MM-DD")
    with services().db.session() as db:
        field = visible_field(db, body_int(body, "field_id"))
        if field is None:
            return problem(404, "Unknown field")
        old = common.replayed(db, Lot, key)
        if old is not None:
            return lot_json(old), 200
        verdict = locks.field_verdict(db, field, day)
        if not verdict.allowed:
            return _refused(verdict)
        try:
            qty = number(body.get("quantity_kg"), "quantity_kg", 0, MAX_LOT_KG)  # "inf" is no weight
        except BadRequestBody:
            return problem(422, "Invalid quantity_kg")
        lot = Lot(
            code=_new_code(db, field, day),
            idempotency_key=key,
            field_id=field.id,
            crop=field.crop,
            market=locks.market(db, field.id),
            harvest_date=day,
            quantity_kg=qty,
            created_by=common.user_id(),
            created_at=common.now_s(),
        )
        db.add(lot)
        db.flush()
        return lot_json(lot), 201


def _refused(verdict: compliance.LotVerdict) -> Response:
    """409: ``code`` is ``harvest_locked`` when only an interval stops it (as before), else
    ``not_compliant``; ``reasons`` carry message keys and parameters, ``harvest`` the lock."""
    phi_only = all(r.code in ("phi_running", "phi_unknown") for r in verdict.reasons)
    return problem(
        409,
        "Harvest locked" if phi_only else "Lot not compliant",
        "; ".join(compliance.reason_text(r, catalogue("en")) for r in verdict.reasons),
        code="harvest_locked" if phi_only else "not_compliant",
        harvest=verdict.lock.as_json(),
        reasons=[r.as_json() for r in verdict.reasons],
    )


def _new_code(db: Any, field: Field, day: Any) -> str:
    """A fresh code of the one scheme, under the field's growing-area code when it has one."""
    area = db.get(GrowingArea, field.growing_area_id) if field.growing_area_id else None
    while True:
        code = str(lot_codes.issue_lot_code(area.code if area else None, day))
        if db.scalar(select(Lot.id).where(Lot.code == code)) is None:  # 2^-51 per try; checked anyway
            return code


@bp.get("/api/v1/app/fields/<int:field_id>/lots")
@doc("Harvest lots of a field", tag="app")
@login_required
def list_for_field(field_id: int) -> Response | dict[str, Any]:
    with services().db.session() as db:
        if visible_field(db, field_id) is None:
            return problem(404, "Unknown field")
        rows = db.scalars(select(Lot).where(Lot.field_id == field_id).order_by(Lot.id.desc())).all()
        verdicts = locks.lot_verdicts(db, rows)  # judged now: a later rule flags an older lot
        return {
            "lots": [
                lot_json(lot)
                | {
                    "compliant": verdicts[lot.id].allowed,
                    "reasons": [r.as_json() for r in verdicts[lot.id].reasons],
                }
                for lot in rows
            ]
        }


def lot_page_url(code: str) -> str:
    """The absolute address of a lot's public page, for the QR code and the PDF report.

    Both are cached publicly and printed on packaging, so the host comes from the
    ``public_base_url`` setting (``RUONGSO_PUBLIC_BASE_URL``): a request with a forged ``Host``
    header must not put its own address into them. Only when the setting is empty (the demo,
    a laptop) does the request's host stand in."""
    path = url_for("mobile_api.lots.public_page", code=code)
    base = current_app.config["RUONGSO_SETTINGS"].public_base_url.rstrip("/")
    return f"{base}{path}" if base else url_for("mobile_api.lots.public_page", code=code, _external=True)


def find_lot(db: Any, code: str) -> Lot | None:
    """The lot of a scanned or typed code (any case; current or former scheme), or None."""
    stored = lot_codes.lookup_form(code)
    return db.scalar(select(Lot).where(Lot.code == stored)) if stored else None


def _public(code: str) -> dict[str, Any] | None:
    with services().db.session() as db:
        lot = find_lot(db, code)
        if lot is None:
            return None
        field = db.get(Field, lot.field_id)
        assert field is not None
        coop = field.farm.cooperative
        sprays = db.scalars(
            select(DiaryEntry)
            .where(
                DiaryEntry.field_id == field.id,
                DiaryEntry.applied_on <= lot.harvest_date,
                DiaryEntry.voided_at.is_(None),
            )
            .order_by(DiaryEntry.applied_on)
        ).all()
        verdict = locks.lot_verdict(lot, sprays)
        return {
            "code": lot.code,
            "crop": lot.crop,
            "market": lot.market,
            "harvest_date": lot.harvest_date.isoformat(),
            "quantity_kg": lot.quantity_kg,
            "commune": field.farm.commune,
            "cooperative": coop.name if coop else None,
            "province": coop.province if coop else None,
            "applications": [
                {
                    "kind": e.kind,
                    "product": e.product_name,
                    "actives": e.actives,
                    "applied_on": e.applied_on.isoformat(),
                    "phi_days": e.phi_days,
                }
                for e in sprays
            ],
            "compliance": {
                "compliant": verdict.allowed,
                "reasons": [r.as_json() for r in verdict.reasons],
                "judged_on": local_today().isoformat(),
                "catalogue_version": verdict.catalogue_version,
            },
        }


# Public look-ups per client address: a burst of 30 (a packer scanning a pallet's labels), then one
# every 2 s. A script guessing codes gets 429 + Retry-After (issue 16, F10); one bucket for the
# page, its JSON and its QR code, so switching between them does not multiply the allowance.
LOT_LOOKUPS = ("lot_lookups", 30, 0.5)


@bp.get("/api/v1/public/lots/<code>")
@doc("Public traceability record of a lot (no personal data, no polygon)", tag="public")
@public
@throttled(*LOT_LOOKUPS)
def public_json(code: str) -> Response | dict[str, Any]:
    data = _public(code)
    return data if data else problem(404, "Unknown lot")


@bp.get("/lot/<code>")
@throttled(*LOT_LOOKUPS)
def public_page(code: str) -> Response | str:
    data = _public(code)
    if data is None:
        return problem(404, "Unknown lot")
    qty = data["quantity_kg"]
    vi, en = catalogue("vi"), catalogue("en")
    reasons = [
        compliance.Reason(r["code"], r["entry_id"], r["params"]) for r in data["compliance"]["reasons"]
    ]
    return render_template(
        "lot.html",
        lot=data,
        problems=[(compliance.reason_text(r, vi), compliance.reason_text(r, en)) for r in reasons],
        vi=catalogue("vi"),
        en=catalogue("en"),
        qty_vi=format_number(qty or 0, 0, "vi"),
        qty_en=format_number(qty or 0, 0, "en"),
    )


@bp.get("/api/v1/lots/<code>/qr.svg")
@doc("QR code (SVG) of a lot's public page", tag="public", produces="image/svg+xml")
@public
@throttled(*LOT_LOOKUPS)
def qr(code: str) -> Response:
    data = _public(code)
    if data is None:
        return problem(404, "Unknown lot")
    url = lot_page_url(data["code"])
    img = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return Response(
        buf.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )
