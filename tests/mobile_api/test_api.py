"""The app's JSON API on the real app (embedded store, seeded demo cooperative with history)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask

from common.timezone import local_today
from tests.mobile_api.conftest import FARMER_3, Client, login

TOMATO = 3  # "Vườn cà chua" of farmer 1


def test_home_has_today_advice_for_every_field(farmer: Client) -> None:
    r = farmer.get("/api/v1/app/home")
    assert r.status_code == 200
    fields = r.get_json()["fields"]
    assert [f["id"] for f in fields] == [1, 2, 3]
    for f in fields:
        today = f["today"]
        assert today["irrigation"]["text"]["vi"] and today["irrigation"]["text"]["en"]
        assert today["disease"] and all(d["text"]["vi"] for d in today["disease"])
        assert today["harvest"]["locked"] is False
        assert {n["state"] for n in today["nodes"]} <= {"online", "battery_low", "sensor_fault", "offline"}


def test_farmer_sees_only_own_fields(app: Flask) -> None:
    other = login(app, FARMER_3)
    assert other.get(f"/api/v1/app/fields/{TOMATO}").status_code == 404
    assert (
        other.send(
            "POST", "/api/v1/app/diary", json={"idempotency_key": "k" * 10, "field_id": TOMATO}
        ).status_code
        == 404
    )
    assert app.test_client().get("/api/v1/app/home").status_code == 401


def test_writes_need_the_csrf_header(farmer: Client) -> None:
    r = farmer.c.post("/api/v1/app/diary", json={"idempotency_key": "nocsrf-123", "field_id": TOMATO})
    assert r.status_code == 403


def _spray(farmer: Client, key: str, product: str, phi: int, day: date) -> dict[str, Any]:
    body = {
        "idempotency_key": key,
        "field_id": TOMATO,
        "kind": "spray",
        "product_id": product,
        "phi_days": phi,
        "applied_on": day.isoformat(),
    }
    return {"r": farmer.send("POST", "/api/v1/app/diary", json=body)}


def test_spray_is_idempotent_warns_and_locks_harvest(farmer: Client) -> None:
    assert (
        farmer.send("PUT", f"/api/v1/app/fields/{TOMATO}/profile", json={"market": "EU"}).status_code == 200
    )
    first = _spray(farmer, "spray-dithane-1", "dithane-m45-80wp", 7, local_today())["r"]
    again = _spray(farmer, "spray-dithane-1", "dithane-m45-80wp", 7, local_today())["r"]
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["entry"]["id"] == again.get_json()["entry"]["id"]
    entry = first.get_json()["entry"]
    assert {"code": "not_approved", "active": "mancozeb", "market": "EU"} in entry["warnings"]
    lock = first.get_json()["harvest"]
    assert lock["locked"] and lock["safe_from"] >= (local_today() + timedelta(days=6)).isoformat()
    entries = farmer.get(f"/api/v1/app/fields/{TOMATO}/diary").get_json()["entries"]
    assert [e["idempotency_key"] for e in entries].count("spray-dithane-1") == 1
    refused = farmer.send(
        "POST", "/api/v1/app/lots", json={"idempotency_key": "lot-refused-1", "field_id": TOMATO}
    )
    assert refused.status_code == 409
    assert refused.get_json()["harvest"]["product_name"] == "Dithane M-45 80WP"
    banned = _spray(farmer, "spray-furadan-1", "furadan-3gr", 30, local_today() - timedelta(days=60))["r"]
    assert banned.get_json()["entry"]["warnings"][0]["code"] == "banned_vn"


def test_edit_conflict_is_reported_not_overwritten(farmer: Client) -> None:
    body = {
        "idempotency_key": "fert-1-abcdef",
        "field_id": 1,
        "kind": "fertiliser",
        "product_name": "NPK 16-16-8",
    }
    entry = farmer.send("POST", "/api/v1/app/diary", json=body).get_json()["entry"]
    url = f"/api/v1/app/diary/{entry['id']}"
    ok = farmer.send("PUT", url, json=body | {"note": "phone A"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    stale = farmer.send("PUT", url, json=body | {"note": "phone B"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.get_json()["current"]["note"] == "phone A"


def test_lot_qr_and_public_page_after_the_interval(farmer: Client, app: Flask) -> None:
    r = farmer.send(
        "POST", "/api/v1/app/lots", json={"idempotency_key": "lot-rice-1", "field_id": 1, "quantity_kg": 1250}
    )
    assert r.status_code == 201, r.get_json()
    lot = r.get_json()
    anon = app.test_client()
    qr = anon.get(lot["qr_svg"])
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    page = anon.get(lot["public_url"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Truy xuất nguồn gốc" in text and "Traceability" in text
    assert "0912" not in text and "Nguyễn Văn Hùng" not in text and "105.49" not in text
    public = anon.get(f"/api/v1/public/lots/{lot['code']}").get_json()
    assert "geometry" not in public and public["commune"]


def test_security_headers_and_compressed_shell(app: Flask) -> None:
    r = app.test_client().get("/", headers={"Accept-Encoding": "gzip"})
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["Content-Encoding"] == "gzip" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert app.test_client().get("/sw.js").headers["Service-Worker-Allowed"] == "/"
