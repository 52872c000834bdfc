"""The alert and inbox endpoints refuse what they must (issue 18): a farmer cannot preview, send or
withdraw; an officer withdraws only their own alert, and only once; a farmer reads only their own
inbox; bad bodies get 422 with a reason. The preview says honestly who cannot be told (farms with
no account), and the sent alert counts people and deliveries, not fields."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import update

from server.registry.models import Farm
from tests.mobile_api.conftest import FARMER_1, FARMER_3, OFFICER, login
from tests.mobile_api.test_officer_support import OFFICER_TAM_DUONG, make_app

FARM_1 = {"lat": 21.2341, "lon": 105.4925, "radius_m": 1000}
EVERY_FARM = {"lat": 21.29, "lon": 105.53, "radius_m": 20000}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_app(tmp_path_factory.mktemp("alerts-api"), history_days=0.1)
    yield app
    app.extensions["ruongso"].store.close()


def test_preview_counts_people_and_farms_nobody_can_tell(app: Flask) -> None:
    officer = login(app, OFFICER)
    with app.extensions["ruongso"].db.session() as db:  # farm 3's owner has no account any more
        db.execute(update(Farm).where(Farm.id == 3).values(owner_id=None))
    try:
        p = officer.send("POST", "/api/v1/officer/alerts/preview", json=EVERY_FARM).get_json()
    finally:
        with app.extensions["ruongso"].db.session() as db:
            db.execute(update(Farm).where(Farm.id == 3).values(owner_id=3))
    # farm 3 does not share with this officer: its two fields and its missing account are fewer
    # than 3, so they are not counted where the officer reads them (k-anonymity, issue 16 F8)
    assert (p["people"], p["fields_reached"], p["farms_without_account"]) == (2, 6, None)
    assert (p["fields_not_shared"], p["people_not_shared"], p["k_anonymity"]) == (None, None, 3)
    assert p["channels"]["inbox"] == {"now": 2}
    # nothing is set up on this server beyond the inbox: SMS and push are said to be off, not "sent"
    assert p["channels"]["sms"] == {"off": 2} and p["channels"]["push"] == {"off": 2}
    assert sorted(r["name"] for r in p["recipients"]) == ["Nguyễn Văn Hùng", "Trần Thị Lan"]


def test_send_counts_people_and_the_inbox_gets_it(app: Flask) -> None:
    officer = login(app, OFFICER)
    r = officer.send("POST", "/api/v1/officer/alerts", json=FARM_1 | {"message_vi": "Kiểm tra rầy nâu."})
    assert r.status_code == 201
    body = r.get_json()
    assert (body["people"], body["fields_reached"]) == (1, 3)
    assert body["delivery"] == {"people": 1, "read": 0, "channels": {"inbox": {"sent": 1}}}
    farmer = login(app, FARMER_1)
    inbox = farmer.get("/api/v1/inbox").get_json()
    item = inbox["items"][0]
    assert item["alert_id"] == body["id"] and item["message"]["vi"] == "Kiểm tra rầy nâu."
    assert (
        item["field_ids"] == [1, 2, 3]
        and inbox["unread"] == farmer.get("/api/v1/inbox/unread").get_json()["unread"]
    )
    before = inbox["unread"]
    assert farmer.send("POST", f"/api/v1/inbox/{item['id']}/read").get_json()["unread"] == before - 1
    other = login(app, FARMER_3)  # not reached: nothing in their inbox, and not allowed to touch it
    assert body["id"] not in [i["alert_id"] for i in other.get("/api/v1/inbox").get_json()["items"]]
    assert other.send("POST", f"/api/v1/inbox/{item['id']}/read").status_code == 404
    listed = officer.get("/api/v1/officer/alerts").get_json()["alerts"][0]
    assert listed["delivery"]["read"] == 1 and listed["withdrawn_at"] is None


def test_who_may_preview_send_and_withdraw(app: Flask) -> None:
    officer = login(app, OFFICER)
    farmer = login(app, FARMER_1)
    for url in ("/api/v1/officer/alerts/preview", "/api/v1/officer/alerts"):
        assert farmer.send("POST", url, json=FARM_1 | {"message_vi": "x"}).status_code == 403
    alert = officer.send(
        "POST", "/api/v1/officer/alerts", json=FARM_1 | {"message_vi": "Rút lại."}
    ).get_json()
    assert farmer.send("POST", f"/api/v1/officer/alerts/{alert['id']}/withdraw").status_code == 403
    colleague = login(app, OFFICER_TAM_DUONG)
    assert colleague.send("POST", f"/api/v1/officer/alerts/{alert['id']}/withdraw").status_code == 404
    assert officer.send("POST", "/api/v1/officer/alerts/999999/withdraw").status_code == 404
    first = officer.send("POST", f"/api/v1/officer/alerts/{alert['id']}/withdraw").get_json()
    again = officer.send("POST", f"/api/v1/officer/alerts/{alert['id']}/withdraw").get_json()
    assert first["withdrawn_at"] == again["withdrawn_at"] and again["cancelled"] == 0
    item = next(i for i in farmer.get("/api/v1/inbox").get_json()["items"] if i["alert_id"] == alert["id"])
    assert item["withdrawn_at"] == first["withdrawn_at"]


@pytest.mark.parametrize(
    "body",
    [
        {"lat": 21.23, "lon": 105.49},  # no message
        FARM_1 | {"radius_m": 0, "message_vi": "x"},
        FARM_1 | {"radius_m": 20001, "message_vi": "x"},
        FARM_1 | {"lat": 91, "message_vi": "x"},
        FARM_1 | {"days_valid": 61, "message_vi": "x"},
        {"lon": 105.49, "message_vi": "x"},
    ],
)
def test_bad_alerts_are_refused_with_a_reason(app: Flask, body: dict[str, object]) -> None:
    r = login(app, OFFICER).send("POST", "/api/v1/officer/alerts", json=body)
    assert r.status_code == 422 and r.get_json()["detail"]
