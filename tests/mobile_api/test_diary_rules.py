"""Diary rules through the real app: void (audited, never gone), no future-dated entries,
fertilisers for "Bón phân", and one entry per idempotency key even when copies arrive at once."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from common.timezone import local_today
from server.advisory import data_files
from server.advisory.compliance import catalogue, fertilisers
from server.audit import AuditLog
from server.farm.models import DiaryEntry
from tests.mobile_api.conftest import FARMER_1, Client, login
from tests.mobile_api.test_compliance_gate import spray

RICE, RICE_2, TOMATO = 1, 2, 3


def _post(client: Client, **body: Any) -> Any:
    return client.send("POST", "/api/v1/app/diary", json={"idempotency_key": uuid.uuid4().hex} | body)


def _entries(app: Flask, **where: Any) -> int:
    with app.extensions["ruongso"].db.session() as db:
        query = select(func.count()).select_from(DiaryEntry).filter_by(**where)
        return int(db.scalar(query) or 0)


def test_a_future_dated_entry_is_refused_and_nothing_is_stored(app: Flask, farmer: Client) -> None:
    tomorrow = local_today() + timedelta(days=1)  # farm time (UTC+7), not the server's clock
    before = _entries(app, field_id=RICE_2)
    r = _post(
        farmer, field_id=RICE_2, kind="spray", product_id="beam-75wp", phi_days=14, applied_on=str(tomorrow)
    )
    assert r.status_code == 400
    assert r.get_json()["code"] == "future_date" and tomorrow.isoformat() in r.get_json()["detail"]
    fert = _post(farmer, field_id=RICE_2, kind="fertiliser", product_id="urea", applied_on=str(tomorrow))
    assert fert.status_code == 400
    assert _entries(app, field_id=RICE_2) == before
    assert not farmer.get(f"/api/v1/app/fields/{RICE_2}/diary").get_json()["harvest"]["locked"]
    today = _post(farmer, field_id=RICE_2, kind="spray", product_id="beam-75wp", phi_days=14,
                  applied_on=str(local_today()))  # fmt: skip
    assert today.status_code == 201
    entry_id = today.get_json()["entry"]["id"]
    moved = {"kind": "spray", "product_id": "beam-75wp", "phi_days": 14, "applied_on": str(tomorrow)}
    change = farmer.send("PUT", f"/api/v1/app/diary/{entry_id}", headers={"If-Match": '"1"'}, json=moved)
    assert change.status_code == 400  # nor can an entry be moved into the future


def test_fertiliser_entries_offer_fertilisers_with_sources(app: Flask, farmer: Client) -> None:
    cat = farmer.get(f"/api/v1/app/fields/{RICE}/catalogue").get_json()
    offered = {f["id"] for f in cat["fertilisers"]}
    assert {"urea", "dap-18-46-0", "kali-clorua", "npk-16-16-8"} <= offered
    assert not offered & set(catalogue.products())  # not one pesticide among them
    for f in cat["fertilisers"]:
        assert f["source"] and f["names"]["vi"] and f["names"]["en"]
    assert any("84/2019" in s for s in data_files.load("fertilisers")["legal_sources"])
    urea = fertilisers.find("urea")
    assert urea is not None and urea.grade == (46.0, 0.0, 0.0)
    r = _post(farmer, field_id=RICE, kind="fertiliser", product_id="urea", amount=12.5, unit="kg",
              applied_on=str(local_today()))  # fmt: skip
    assert r.status_code == 201, r.get_json()
    entry = r.get_json()["entry"]
    assert entry["product_name"] == "Phân urê (đạm)" and entry["product_id"] == "urea"
    assert entry["warnings"] == [] and entry["phi_days"] is None and entry["actives"] == []
    assert r.get_json()["harvest"]["locked"] is False  # fertiliser never locks the harvest
    checklist = farmer.get("/api/v1/app/farms/1/checklist").get_json()
    assert next(i for i in checklist["items"] if i["id"] == "fertiliser_log")["status"] == "met"


def test_void_is_audited_shown_and_unlocks_the_harvest(app: Flask, farmer: Client) -> None:
    entry = spray(farmer, TOMATO, "score-250ec", local_today(), phi=14)
    diary = farmer.get(f"/api/v1/app/fields/{TOMATO}/diary").get_json()
    assert diary["harvest"]["locked"] and diary["harvest"]["product_name"] == "Score 250EC"
    url = f"/api/v1/app/diary/{entry['id']}/void"
    assert farmer.send("POST", url, json={"reason": "  "}).status_code == 422  # why is required
    stale = farmer.send("POST", url, json={"reason": "x"}, headers={"If-Match": '"9"'})
    assert stale.status_code == 412 and stale.get_json()["current"]["voided"] is None
    r = farmer.send("POST", url, json={"reason": "Ghi nhầm: phun ở ruộng bên"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.get_json()
    voided = r.get_json()["entry"]["voided"]
    assert voided["reason"] == "Ghi nhầm: phun ở ruộng bên" and voided["by_name"]
    assert r.get_json()["entry"]["version"] == 2
    assert r.get_json()["harvest"]["locked"] is False  # a voided spray no longer locks the field
    again = farmer.send("POST", url, json={"reason": "another reason"})
    assert again.status_code == 200 and again.get_json()["entry"]["voided"] == voided  # nothing changes
    listed = farmer.get(f"/api/v1/app/fields/{TOMATO}/diary").get_json()["entries"]
    assert next(e for e in listed if e["id"] == entry["id"])["voided"]["reason"] == voided["reason"]
    edit = farmer.send("PUT", f"/api/v1/app/diary/{entry['id']}", headers={"If-Match": '"2"'},
                       json={"kind": "spray", "product_id": "score-250ec", "phi_days": 7})  # fmt: skip
    assert edit.status_code == 409 and edit.get_json()["code"] == "voided"
    with app.extensions["ruongso"].db.session() as db:
        rows = db.scalars(
            select(AuditLog).where(AuditLog.table == "app_diary_entry", AuditLog.row_key == str(entry["id"]))
        ).all()
        assert [r.action for r in rows] == ["insert", "update"]  # both under the entry's own id
        assert rows[0].changes["id"] == entry["id"] and rows[0].changes["void_reason"] is None
        void = rows[1]
        assert void.changes["void_reason"] == [None, voided["reason"]] and void.actor_id is not None
        assert void.changes["voided_at"][0] is None and void.changes["voided_by"][1]
    assert _entries(app, id=entry["id"]) == 1  # still there, never deleted


def test_one_entry_per_key_even_when_copies_arrive_together(app: Flask) -> None:
    """The offline queue may send the same request twice at once (two tabs, a retry racing the
    first): the unique key lets one in and every copy gets that one entry back."""
    key = uuid.uuid4().hex
    body = {"idempotency_key": key, "field_id": RICE, "kind": "spray", "product_id": "beam-75wp",
            "phi_days": 14, "applied_on": str(local_today() - timedelta(days=40))}  # fmt: skip
    clients = [login(app, FARMER_1) for _ in range(6)]
    answers: list[tuple[int, int]] = []
    start = threading.Barrier(len(clients))

    def send(c: Client) -> None:
        start.wait()
        r = c.send("POST", "/api/v1/app/diary", json=body, headers={"Idempotency-Key": key})
        answers.append((r.status_code, r.get_json()["entry"]["id"]))

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(answers) == len(clients)
    assert sorted(s for s, _ in answers) == [200] * (len(clients) - 1) + [201]
    assert len({i for _, i in answers}) == 1
    assert _entries(app, idempotency_key=key) == 1
