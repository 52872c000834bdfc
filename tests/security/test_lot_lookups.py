"""Lot codes cannot be swept (issue 16, F10): 64+ random bits per code, public look-ups throttled
per address with 429 + Retry-After, and codes printed before keep working."""

from __future__ import annotations

import math
import uuid
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from mobile_api.lots_api import LOT_LOOKUPS
from server.advisory.lots import ALPHABET, make_lot_code, parse_lot_code
from server.farm.models import Lot
from tests.security.test_web import login


def client_from(app: Flask, address: str) -> FlaskClient:
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


def _lot(app: Flask) -> str:
    c, csrf = login(app, "farmer")
    field_id = c.get("/api/v1/app/farms").get_json()["farms"][0]["fields"][0]["id"]
    body = {"idempotency_key": uuid.uuid4().hex, "field_id": field_id, "quantity_kg": 900}
    r = c.post("/api/v1/app/lots", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.get_json()
    return str(r.get_json()["code"])


def _old_lots(app: Flask, field_code: str) -> list[str]:
    """Codes printed before: the former 10-character serial and the app's first RS scheme."""
    older = [str(make_lot_code("RS", date(2026, 3, 15), "7K3M9Q2XWD")), "RS260315-A1B2C3"]
    with app.extensions["ruongso"].db.session() as s:
        template = s.query(Lot).filter(Lot.code == field_code).one()
        for code in older:
            s.add(Lot(code=code, idempotency_key=uuid.uuid4().hex, field_id=template.field_id,
                      crop=template.crop, market=template.market, harvest_date=template.harvest_date,
                      quantity_kg=1.0, created_by=template.created_by, created_at=0))  # fmt: skip
    return older


def test_new_codes_carry_64_random_bits_and_old_codes_still_open(app: Flask) -> None:
    code = _lot(app)
    serial = parse_lot_code(code).serial
    assert len(serial) * math.log2(len(ALPHABET)) >= 64
    c = client_from(app, "203.0.113.7")
    assert c.get(f"/api/v1/public/lots/{code}").status_code == 200
    for old in _old_lots(app, code):
        assert c.get(f"/api/v1/public/lots/{old.lower()}").get_json()["code"] == old


def test_a_sweep_is_throttled_per_address(app: Flask) -> None:
    code = _lot(app)
    sweeper = client_from(app, "198.51.100.9")
    _, burst, _ = LOT_LOOKUPS
    answers = []
    for n in range(3 * burst):  # the bucket refills slowly; a 429 comes long before 3 bursts
        r = sweeper.get(f"/lot/RS-20261204-{n:013d}-0")
        answers.append(r.status_code)
        if r.status_code == 429:
            break
    assert answers[:burst] == [404] * burst
    assert answers[-1] == 429
    assert int(r.headers["Retry-After"]) >= 1 and r.get_json()["retry_after_s"] >= 1
    assert r.mimetype == "application/problem+json"
    # the page, its JSON and its QR share the bucket: switching paths buys no more guesses
    assert sweeper.get(f"/api/v1/public/lots/{code}").status_code == 429
    assert sweeper.get(f"/api/v1/lots/{code}/qr.svg").status_code == 429
    # another address (another phone scanning a label) is not affected
    buyer = client_from(app, "198.51.100.10")
    assert buyer.get(f"/lot/{code}").status_code == 200
