"""Audit checklist per farm and the public lot PDF, on the real app with the seeded demo data."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask import Flask
from fpdf import FPDF
from sqlalchemy import select

from common.timezone import local_today
from mobile_api.catalogues import catalogue
from server.farm import lot_report, lot_report_data
from server.farm.models import Lot
from server.registry.models import Field
from tests.mobile_api.conftest import FARMER_1, FARMER_3, Client, login

STRINGS = (catalogue("vi"), catalogue("en"))


def _statuses(client: Client, farm_id: int, scheme: str = "vietgap") -> dict[str, str]:
    r = client.get(f"/api/v1/app/farms/{farm_id}/checklist?scheme={scheme}")
    assert r.status_code == 200, r.get_json()
    return {item["id"]: item["status"] for item in r.get_json()["items"]}


def _first_field(client: Client) -> tuple[int, int]:
    farm = client.get("/api/v1/app/farms").get_json()["farms"][0]
    return farm["id"], farm["fields"][0]["id"]


def _diary(client: Client, field_id: int, **body: Any) -> None:
    body |= {"idempotency_key": uuid.uuid4().hex, "field_id": field_id}
    r = client.send("POST", "/api/v1/app/diary", json=body)
    assert r.status_code == 201, r.get_json()


def _lot(client: Client, field_id: int) -> str:
    body = {"idempotency_key": uuid.uuid4().hex, "field_id": field_id, "quantity_kg": 1250}
    r = client.send("POST", "/api/v1/app/lots", json=body)
    assert r.status_code == 201, r.get_json()
    code: str = r.get_json()["code"]
    return code


def test_checklist_follows_the_diary_and_lots(app: Flask) -> None:
    farmer = login(app, FARMER_1)
    farm_id, field_id = _first_field(farmer)
    before = _statuses(farmer, farm_id)
    assert before["fertiliser_log"] == "missing" and before["harvest_lots"] == "missing"
    assert before["training"] == "missing"  # documents cannot be uploaded yet
    long_ago = (local_today() - timedelta(days=30)).isoformat()
    _diary(farmer, field_id, kind="fertiliser", product_name="NPK 16-16-8", amount=20, applied_on=long_ago)
    _diary(farmer, field_id, kind="spray", product_name="Anvil 5SC", actives=["hexaconazole"],
           phi_days=7, applied_on=long_ago)  # fmt: skip
    _lot(farmer, field_id)
    after = _statuses(farmer, farm_id)
    assert after["fertiliser_log"] == after["harvest_lots"] == after["phi_respected"] == "met"
    assert after["spray_log"] == "met"
    body = farmer.get(f"/api/v1/app/farms/{farm_id}/checklist").get_json()
    fert = next(i for i in body["items"] if i["id"] == "fertiliser_log")
    assert f"/api/v1/app/fields/{field_id}/diary" in fert["evidence"]["links"]
    assert fert["text"]["vi"] and fert["text"]["en"]
    assert body["met"] == sum(1 for i in body["items"] if i["status"] == "met")
    assert "traceability_drill" in _statuses(farmer, farm_id, "globalgap")


def test_checklist_hidden_from_other_farmers_and_anonymous(app: Flask) -> None:
    other_farm, _ = _first_field(login(app, FARMER_3))
    assert login(app, FARMER_1).get(f"/api/v1/app/farms/{other_farm}/checklist").status_code == 404
    assert login(app, FARMER_1).get("/api/v1/app/farms/99999/checklist").status_code == 404
    assert app.test_client().get(f"/api/v1/app/farms/{other_farm}/checklist").status_code == 401
    farm_id, _ = _first_field(login(app, FARMER_1))
    bad = login(app, FARMER_1).get(f"/api/v1/app/farms/{farm_id}/checklist?scheme=iso")
    assert bad.status_code == 422


def _capture_pdf_text(monkeypatch: Any) -> list[str]:
    """Every string the renderer lays out: in the PDF bytes text is glyph ids, not searchable."""
    texts: list[str] = []
    for name in ("cell", "multi_cell"):
        original = getattr(FPDF, name)

        def spy(self: FPDF, *args: Any, _original: Any = original, **kw: Any) -> Any:
            texts.append(str(kw.get("text", args[2] if len(args) > 2 else "")))
            return _original(self, *args, **kw)

        monkeypatch.setattr(FPDF, name, spy)
    return texts


def test_lot_pdf_is_public_and_private_data_free(app: Flask, monkeypatch: Any) -> None:
    farmer = login(app, FARMER_1)
    _, field_id = _first_field(farmer)
    long_ago = (local_today() - timedelta(days=30)).isoformat()
    _diary(farmer, field_id, kind="spray", product_name="Anvil 5SC", actives=["hexaconazole"],
           phi_days=7, applied_on=long_ago)  # fmt: skip
    code = _lot(farmer, field_id)
    texts = _capture_pdf_text(monkeypatch)
    r = app.test_client().get(f"/lot/{code}/report.pdf")  # no sign-in: printed QR codes are public
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF")
    assert code.encode() in r.data  # the document title and the link to the public page
    shown = "\n".join(texts)
    assert code in shown and "1.250 kg / 1,250 kg" in shown  # Vietnamese, then English separators
    assert local_today().strftime("%d/%m/%Y") in shown  # dates dd/mm/yyyy, as in the app
    assert app.test_client().get("/lot/NO-SUCH-LOT/report.pdf").status_code == 404
    with app.test_request_context():
        svc = app.extensions["ruongso"]
        with svc.db.session() as db:
            lot = db.scalar(select(Lot).where(Lot.code == code))
            assert lot is not None
            field = db.get(Field, lot.field_id)
            assert field is not None
            owner, field_name = field.farm.owner_name, field.name
            report = lot_report_data.build(db, svc.store, lot, f"https://example.org/lot/{code}", STRINGS)
    text = repr(report)
    assert report.code == code and report.sprays and all(s.ok for s in report.sprays)
    for private in (FARMER_1["phone"], owner, field_name):
        assert private not in text and private not in shown
    assert "coordinates" not in text
    assert lot_report.build_pdf(report, compress=False).startswith(b"%PDF")


def test_lot_pdf_without_fonts_says_what_to_install(app: Flask, monkeypatch: Any) -> None:
    monkeypatch.setattr(lot_report, "fonts_available", lambda: False)
    r = app.test_client().get("/lot/ANY-CODE/report.pdf")
    assert r.status_code == 503
    assert "fonts-dejavu-core" in r.get_json()["detail"]


def test_a_spray_after_a_harvest_does_not_fail_that_lot(app: Flask) -> None:
    """A lot is judged on its harvest date by the sprays up to it, in the checklist as in its PDF."""
    farmer = login(app, FARMER_1)
    farm = farmer.get("/api/v1/app/farms").get_json()["farms"][0]
    farm_id, field_id = farm["id"], farm["fields"][1]["id"]
    harvested = local_today() - timedelta(days=10)
    body = {"idempotency_key": uuid.uuid4().hex, "field_id": field_id, "harvest_date": harvested.isoformat()}
    r = farmer.send("POST", "/api/v1/app/lots", json=body)
    assert r.status_code == 201, r.get_json()
    code = r.get_json()["code"]
    assert _statuses(farmer, farm_id)["phi_respected"] == "met"
    # the next crop's spray, five days after that harvest, with a PHI still running today
    after = (harvested + timedelta(days=5)).isoformat()
    _diary(farmer, field_id, kind="spray", product_name="Anvil 5SC", actives=["hexaconazole"],
           phi_days=30, applied_on=after)  # fmt: skip
    assert farmer.get(f"/api/v1/app/fields/{field_id}/diary").get_json()["harvest"]["locked"]
    assert _statuses(farmer, farm_id)["phi_respected"] == "met"
    with app.test_request_context():
        svc = app.extensions["ruongso"]
        with svc.db.session() as db:
            lot = db.scalar(select(Lot).where(Lot.code == code))
            assert lot is not None
            report = lot_report_data.build(db, svc.store, lot, f"https://example.org/lot/{code}", STRINGS)
    assert all(s.applied_on <= harvested and s.ok for s in report.sprays)
