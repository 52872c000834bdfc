"""Issue 16, F2/F3/F4/F9/F11: writes scoped and inputs bounded on the real app.

Each test fails on the code before the fix: another user's idempotency key handed back their row
(F2); ``"inf"`` was stored (F3); a body that is not a JSON object, or a number beyond 64 bits,
answered 500 (F4); the Host header went into the QR code and the PDF (F9); the gateway health
document stored NaN and served invalid JSON back (F11).
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import replace
from typing import Any

import pytest
import qrcode
from flask import Flask
from qrcode.image.svg import SvgPathImage

from tests.mobile_api.conftest import FARMER_1, FARMER_3, Client, login
from tests.mobile_api.test_officer_support import gateway_token
from tests.mobile_api.test_photos import EXTENSION, FakeDiagnoser, jpeg, upload

ADMIN = {"phone": "0912000099", "password": "demo-quantri"}
RICE = 1  # farmer 1's rice field (no sprays in the seed: lots are allowed)
BODY_ENDPOINTS = [  # every endpoint that reads a JSON body, with a target that exists
    ("POST", "/api/v1/app/diary"),
    ("PUT", "/api/v1/app/diary/1"),
    ("POST", "/api/v1/app/diary/1/void"),
    ("POST", "/api/v1/app/lots"),
    ("PUT", "/api/v1/app/fields/1/profile"),
    ("PUT", "/api/v1/app/fields/1/season"),
    ("POST", "/api/v1/app/diagnoses/1/dispute"),
    ("POST", "/api/v1/app/diagnoses/1/review"),
    ("POST", "/api/v1/officer/reviews/1"),
    ("POST", "/api/v1/officer/alerts"),
    ("POST", "/api/v1/tech/nodes"),
    ("POST", "/api/v1/tech/nodes/4097/config"),
    ("POST", "/api/v1/tech/nodes/4097/calibrations"),
    ("POST", "/api/v1/auth/tokens"),
    ("POST", "/api/v1/fields/1/plantings"),
    ("PATCH", "/api/v1/nodes/4097"),
    ("PATCH", "/api/v1/farms/1"),
    ("POST", "/api/v1/farms/1/fields"),
]
NOT_OBJECTS = ["[1]", '"text"', "123", "true", "null", "{", "1e999", '{"a": NaN}']


def _key() -> str:
    return uuid.uuid4().hex


def _own_field(client: Client) -> int:
    farm = client.get("/api/v1/app/farms").get_json()["farms"][0]
    field_id: int = farm["fields"][0]["id"]
    return field_id


def test_idempotency_keys_are_scoped_to_the_user(app: Flask) -> None:
    """F2: farmer 1 sending farmer 3's key stores farmer 1's own row and sees nothing of theirs."""
    one, three = login(app, FARMER_1), login(app, FARMER_3)
    theirs = _own_field(three)
    key = _key()
    note = {"kind": "fertiliser", "product_name": "NPK bí mật", "amount": 7}
    r = three.send("POST", "/api/v1/app/diary", json={"idempotency_key": key, "field_id": theirs} | note)
    assert r.status_code == 201, r.get_json()
    mine = one.send("POST", "/api/v1/app/diary", json={"idempotency_key": key, "field_id": RICE} | note)
    assert mine.status_code == 201, mine.get_json()
    assert mine.get_json()["entry"]["field_id"] == RICE
    again = one.send("POST", "/api/v1/app/diary", json={"idempotency_key": key, "field_id": RICE} | note)
    assert again.status_code == 200 and again.get_json()["entry"]["id"] == mine.get_json()["entry"]["id"]

    lot_key = _key()
    r = three.send("POST", "/api/v1/app/lots", json={"idempotency_key": lot_key, "field_id": theirs})
    assert r.status_code == 201, r.get_json()
    lot = one.send("POST", "/api/v1/app/lots", json={"idempotency_key": lot_key, "field_id": RICE})
    assert lot.status_code == 201, lot.get_json()
    assert lot.get_json()["field_id"] == RICE and lot.get_json()["code"] != r.get_json()["code"]


def test_photo_idempotency_keys_are_scoped_to_the_user(app: Flask) -> None:
    """F2 for photos: the same key from two farmers makes two diagnoses, each on its own field."""
    app.extensions[EXTENSION] = FakeDiagnoser()
    one, three = login(app, FARMER_1), login(app, FARMER_3)
    key = _key()
    r = upload(three, key, [jpeg("#2e7d32")], field_id=str(_own_field(three)))
    assert r.status_code == 201, r.get_json()
    mine = upload(one, key, [jpeg("#2e7d32")])
    assert mine.status_code == 201, mine.get_json()
    assert mine.get_json()["field_id"] == 3 and mine.get_json()["id"] != r.get_json()["id"]


@pytest.mark.parametrize(("method", "url"), BODY_ENDPOINTS)
def test_a_body_that_is_not_a_json_object_is_a_400(app: Flask, method: str, url: str) -> None:
    """F4: one check for every endpoint that reads a body; never a 500, never read as ``{}``."""
    admin = login(app, ADMIN)
    for raw in NOT_OBJECTS:
        r = admin.send(method, url, data=raw, content_type="application/json")
        assert r.status_code == 400, (raw, r.status_code, r.get_data(as_text=True)[:200])
        assert r.content_type == "application/problem+json"


FIELDS = ["field_id", "kind", "amount", "phi_days", "quantity_kg", "harvest_date", "market",
          "soil_texture", "planting_date", "crop", "variety", "sown_on", "status", "label", "note",
          "reason", "lat", "lon", "radius_m", "days_valid", "node_id", "gateway_id", "interval_s",
          "probe_depth_cm", "thresholds", "dry_mv", "wet_mv", "points", "name", "scopes",
          "geometry", "share_with_officers", "sensors", "product_id", "actives", "applied_on"]  # fmt: skip
WRONG = [[1], {"a": 1}, "nan", 1e300, "9" * 25, True]


@pytest.mark.parametrize(("method", "url"), BODY_ENDPOINTS)
def test_wrongly_typed_values_are_refused_never_a_500(app: Flask, method: str, url: str) -> None:
    """F4: a list where a name goes, 1e300 as a probe depth... once answered 500."""
    admin = login(app, ADMIN)
    for name in FIELDS:
        for value in WRONG:
            body = {"idempotency_key": "typed-key-0001", name: value}
            r = admin.send(method, url, json=body, headers={"If-Match": "1"})
            assert r.status_code < 500, (name, value, r.get_data(as_text=True)[:200])


@pytest.mark.parametrize("value", ["nan", "inf", 1e300, "9" * 25])
def test_a_node_position_or_depth_is_never_stored_non_finite(app: Flask, value: Any) -> None:
    admin = login(app, ADMIN)
    for name in ("lat", "lon", "probe_depth_cm"):
        assert admin.send("PATCH", "/api/v1/nodes/4097", json={name: value}).status_code == 400


@pytest.mark.parametrize("amount", ["inf", "-Infinity", "nan", "1e400", 1e300])
def test_non_finite_or_huge_amounts_are_refused_and_never_stored(farmer: Client, amount: Any) -> None:
    """F3: ``"amount": "inf"`` was stored and every list with it then held ``Infinity``."""
    body = {"idempotency_key": _key(), "field_id": RICE, "kind": "fertiliser", "product_name": "Urê"}
    r = farmer.send("POST", "/api/v1/app/diary", json=body | {"amount": amount})
    assert r.status_code == 422, r.get_json()
    lot = {"idempotency_key": _key(), "field_id": RICE, "quantity_kg": amount}
    assert farmer.send("POST", "/api/v1/app/lots", json=lot).status_code == 422
    listed = farmer.get(f"/api/v1/app/fields/{RICE}/diary").get_data(as_text=True)
    json.loads(listed, parse_constant=lambda name: pytest.fail(f"{name} in the diary"))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tech/nodes/4097/recompute?version=99999999999999999999999",
        "/api/v1/app/home?farm=99999999999999999999999",
        "/api/v1/app/diagnoses/updates?farm=-99999999999999999999999",
        "/api/v1/officer/training-export?since=99999999999999999999999",
        "/api/v1/nodes/4097/series?points=99999999999999999999999",
        "/api/v1/gateways?limit=99999999999999999999999",
    ],
)
def test_query_integers_beyond_64_bits_are_a_400(app: Flask, url: str) -> None:
    """F4: ``?version=99999999999999999999999`` reached the database (500)."""
    r = login(app, ADMIN).get(url)
    assert r.status_code in (400, 404), (r.status_code, r.get_data(as_text=True)[:200])
    assert r.status_code != 404 or "Invalid" not in r.get_data(as_text=True)


def test_body_ids_beyond_64_bits_are_a_400(farmer: Client) -> None:
    body = {"idempotency_key": _key(), "field_id": "9" * 30, "kind": "spray"}
    assert farmer.send("POST", "/api/v1/app/diary", json=body).status_code == 400
    assert farmer.send("POST", "/api/v1/app/lots", json=body).status_code == 400


def test_lot_links_use_the_public_base_url_not_the_host_header(app: Flask, farmer: Client) -> None:
    """F9: a forged Host header went into the publicly cached QR code and PDF."""
    r = farmer.send("POST", "/api/v1/app/lots", json={"idempotency_key": _key(), "field_id": RICE})
    assert r.status_code == 201, r.get_json()
    code = r.get_json()["code"]
    settings = app.config["RUONGSO_SETTINGS"]
    app.config["RUONGSO_SETTINGS"] = replace(settings, public_base_url="https://truyxuat.example.vn/")
    try:
        from mobile_api.lots_api import lot_page_url

        with app.test_request_context("/", headers={"Host": "evil.example"}):
            assert lot_page_url(code) == f"https://truyxuat.example.vn/lot/{code}"
        qr = app.test_client().get(f"/api/v1/lots/{code}/qr.svg", headers={"Host": "evil.example"})
        assert qr.status_code == 200 and qr.data == _qr(f"https://truyxuat.example.vn/lot/{code}")
    finally:
        app.config["RUONGSO_SETTINGS"] = settings
    with app.test_request_context("/", headers={"Host": "farm.local:8080"}):  # unset: the request's
        assert lot_page_url(code) == f"http://farm.local:8080/lot/{code}"


def _qr(url: str) -> bytes:
    """The SVG the endpoint draws for ``url`` (same settings), to compare what it encodes."""
    buf = io.BytesIO()
    qrcode.make(url, image_factory=SvgPathImage, box_size=10, border=2).save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("raw", ['{"loss": NaN}', '{"loss": Infinity}', '{"loss": 1e999}'])
def test_gateway_health_refuses_non_finite_numbers(app: Flask, raw: str) -> None:
    """F11: NaN was stored and the latest document was then served back as invalid JSON."""
    headers = {"Authorization": f"Bearer {gateway_token(app)}", "Content-Type": "application/json"}
    client = app.test_client()
    assert client.post("/api/v1/gateway/health", data=raw, headers=headers).status_code == 400
    latest = client.get("/api/v1/gateway/health", headers=headers)
    if latest.status_code == 200:
        json.loads(latest.get_data(as_text=True), parse_constant=lambda n: pytest.fail(f"{n} served"))
