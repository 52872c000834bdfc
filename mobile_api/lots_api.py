"""Harvest lots: created only after every pre-harvest interval has ended; QR code and public page.

The public traceability page and JSON show the lot's crop, place (commune, cooperative), dates and
the field's recorded applications — never a phone number, a person's name or the field polygon.
"""

from __future__ import annotations

import functools
import io
import json
import secrets
from typing import Any

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, render_template, request, url_for
from sqlalchemy import select

from mobile_api import common
from mobile_api.apidoc import doc
from mobile_api.auth import login_required, public, visible_field
from mobile_api.shell import STATIC
from server.advisory.i18n import format_number
from server.errors import problem
from server.farm import locks
from server.farm.models import DiaryEntry, Lot
from server.registry.models import Field
from server.services import services

bp = Blueprint("lots", __name__, template_folder="templates")


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
@doc(
    "Create a harvest lot (409 with the reason while a pre-harvest interval runs)",
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
    body = request.get_json(silent=True) or {}
    key = common.idempotency_key(body)
    if key is None:
        return problem(422, "Idempotency key missing")
    day = common.parse_date(body.get("harvest_date") or common.today().isoformat())
    if day is None:
        return problem(422, "Invalid harvest_date", "YYYY-MM-DD")
    with services().db.session() as db:
        field = visible_field(db, int(body.get("field_id") or 0))
        if field is None:
            return problem(404, "Unknown field")
        old = db.scalar(select(Lot).where(Lot.idempotency_key == key))
        if old is not None:
            return lot_json(old), 200
        lock = locks.harvest_lock(db, field, day)
        if lock.locked:
            return problem(
                409,
                "Harvest locked",
                "a pre-harvest interval has not ended",
                code="harvest_locked",
                harvest=lock.as_json(),
            )
        try:
            qty = float(body["quantity_kg"]) if body.get("quantity_kg") not in (None, "") else None
        except (TypeError, ValueError):
            return problem(422, "Invalid quantity_kg")
        lot = Lot(
            code=f"RS{day:%y%m%d}-{secrets.token_hex(3).upper()}",
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


@bp.get("/api/v1/app/fields/<int:field_id>/lots")
@doc("Harvest lots of a field", tag="app")
@login_required
def list_for_field(field_id: int) -> Response | dict[str, Any]:
    with services().db.session() as db:
        if visible_field(db, field_id) is None:
            return problem(404, "Unknown field")
        rows = db.scalars(select(Lot).where(Lot.field_id == field_id).order_by(Lot.id.desc())).all()
        return {"lots": [lot_json(lot) for lot in rows]}


def _public(code: str) -> dict[str, Any] | None:
    with services().db.session() as db:
        lot = db.scalar(select(Lot).where(Lot.code == code))
        if lot is None:
            return None
        field = db.get(Field, lot.field_id)
        assert field is not None
        coop = field.farm.cooperative
        sprays = db.scalars(
            select(DiaryEntry)
            .where(DiaryEntry.field_id == field.id, DiaryEntry.applied_on <= lot.harvest_date)
            .order_by(DiaryEntry.applied_on)
        ).all()
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
        }


@bp.get("/api/v1/public/lots/<code>")
@doc("Public traceability record of a lot (no personal data, no polygon)", tag="public")
@public
def public_json(code: str) -> Response | dict[str, Any]:
    data = _public(code)
    return data if data else problem(404, "Unknown lot")


@bp.get("/lot/<code>")
def public_page(code: str) -> Response | str:
    data = _public(code)
    if data is None:
        return problem(404, "Unknown lot")
    qty = data["quantity_kg"]
    return render_template(
        "lot.html",
        lot=data,
        vi=catalogue("vi"),
        en=catalogue("en"),
        qty_vi=format_number(qty or 0, 0, "vi"),
        qty_en=format_number(qty or 0, 0, "en"),
    )


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """The app's string catalogue (the public page uses the same translations as the app)."""
    data: dict[str, str] = json.loads((STATIC / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    return data


@bp.get("/api/v1/lots/<code>/qr.svg")
@doc("QR code (SVG) of a lot's public page", tag="public", produces="image/svg+xml")
@public
def qr(code: str) -> Response:
    if _public(code) is None:
        return problem(404, "Unknown lot")
    url = url_for("mobile_api.lots.public_page", code=code, _external=True)
    img = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return Response(
        buf.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )
