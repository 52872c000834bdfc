"""One season record: the registry's audited ``Planting`` is what the farmer edits on the field screen
and what every advice reads (Kc stage, ETc, disease windows); the app keeps no planting date of its own.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from common.timezone import local_today
from server.audit import AuditLog
from server.farm.models import FieldProfile
from server.registry.models import Field
from server.registry.plantings import Planting
from tests.mobile_api.conftest import FARMER_1, OFFICER, login

FIELD = 3  # farm 1's third field: borrows the farm's weather station


def _db(app: Flask) -> Any:
    return app.extensions["ruongso"].db


def _audit(app: Flask, after: int = 0) -> list[AuditLog]:
    """The planting table's audit rows after id ``after`` (an insert's row_key is not matched on)."""
    with _db(app).session() as s:
        rows = list(
            s.scalars(
                select(AuditLog)
                .where(AuditLog.table == "planting", AuditLog.id > after)
                .order_by(AuditLog.id)
            )
        )
        s.expunge_all()
        return rows


def _last_audit_id(app: Flask) -> int:
    with _db(app).session() as s:
        return int(s.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1)) or 0)


def _plantings(app: Flask) -> list[Planting]:
    with _db(app).session() as s:
        rows = list(s.scalars(select(Planting).where(Planting.field_id == FIELD).order_by(Planting.id)))
        s.expunge_all()
        return rows


def test_the_app_keeps_no_second_planting_date() -> None:
    assert "planting_date" not in FieldProfile.__table__.c


def test_the_farmer_sets_the_season_and_every_advice_reads_it(app: Flask) -> None:
    farmer = login(app, FARMER_1)
    today = local_today()
    before = farmer.get(f"/api/v1/app/fields/{FIELD}").get_json()
    assert before["can_edit_season"] is True and before["today"]["assumed"]["planting_date"] is True
    mark = _last_audit_id(app)
    planted = today - timedelta(days=50)  # tomato: FAO-56 Table 11 stages 30 + 40 → development
    r = farmer.send(
        "PUT",
        f"/api/v1/app/fields/{FIELD}/season",
        json={"crop": "tomato", "planting_date": planted.isoformat()},
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["crop"], body["planting_date"]) == ("tomato", planted.isoformat())

    got = farmer.get(f"/api/v1/app/fields/{FIELD}").get_json()
    assert got["crop"] == "tomato" and got["profile"]["planting_date"] == planted.isoformat()
    assert got["planting"]["id"] == body["planting"]["id"]
    season = got["today"]["season"]
    assert (season["crop"], season["planting_date"]) == ("tomato", planted.isoformat())
    assert got["today"]["assumed"]["planting_date"] is False
    assert {d["stage"] for d in got["today"]["field_days"]} == {"development"}
    # the registry's own API shows the same record (one record, not a copy)
    registry = farmer.get(f"/api/v1/fields/{FIELD}").get_json()
    assert [p["crop"] for p in registry["plantings"]][-1] == "tomato"
    home = farmer.get("/api/v1/app/home?farm=1").get_json()
    assert next(f for f in home["fields"] if f["id"] == FIELD)["today"]["season"] == season
    # tomato's disease models now run on this field (early and late blight), not the old crop's
    assert {d["disease"] for d in got["today"]["disease"]} >= {"early_blight", "late_blight"}

    # the audit log names the farmer for the insert
    inserts = [a for a in _audit(app, mark) if a.action == "insert"]
    assert [(a.changes["field_id"], a.changes["crop"]) for a in inserts] == [(FIELD, "tomato")]
    assert inserts[0].actor_id is not None


def test_a_date_correction_updates_the_planting_and_a_new_crop_starts_one(app: Flask) -> None:
    farmer = login(app, FARMER_1)
    today = local_today()
    start, mark = len(_plantings(app)), _last_audit_id(app)
    farmer.send(
        "PUT",
        f"/api/v1/app/fields/{FIELD}/season",
        json={"crop": "cabbage", "planting_date": (today - timedelta(days=5)).isoformat()},
    )
    corrected = (today - timedelta(days=7)).isoformat()
    r = farmer.send(
        "PUT", f"/api/v1/app/fields/{FIELD}/season", json={"crop": "cabbage", "planting_date": corrected}
    )
    assert r.status_code == 200
    rows = _plantings(app)
    assert len(rows) == start + 1 and rows[-1].crop == "cabbage" and str(rows[-1].sown_on) == corrected
    with _db(app).session() as s:
        assert s.get(Field, FIELD).crop == "cabbage"  # the registry's field list follows the season
    assert [a.action for a in _audit(app, mark)] == ["insert", "update"]
    # the old profile endpoint still takes a planting date, into the same record
    older = (today - timedelta(days=9)).isoformat()
    r = farmer.send(
        "PUT", f"/api/v1/app/fields/{FIELD}/profile", json={"market": "VN", "planting_date": older}
    )
    assert r.status_code == 200 and r.get_json()["planting_date"] == older
    assert str(_plantings(app)[-1].sown_on) == older and len(_plantings(app)) == start + 1


def test_only_the_owner_changes_the_season_and_only_to_a_known_crop(app: Flask) -> None:
    officer, farmer = login(app, OFFICER), login(app, FARMER_1)
    before = len(_plantings(app))
    assert officer.send("PUT", f"/api/v1/app/fields/{FIELD}/season", json={"crop": "rice"}).status_code in (
        403,
        404,
    )
    assert (
        farmer.send("PUT", f"/api/v1/app/fields/{FIELD}/season", json={"crop": "durian"}).status_code == 400
    )
    bad = farmer.send(
        "PUT", f"/api/v1/app/fields/{FIELD}/season", json={"crop": "rice", "planting_date": "31/12"}
    )
    far = (local_today() + timedelta(days=365)).isoformat()
    ahead = farmer.send(
        "PUT", f"/api/v1/app/fields/{FIELD}/season", json={"crop": "rice", "planting_date": far}
    )
    assert bad.status_code == ahead.status_code == 422
    assert len(_plantings(app)) == before


def test_a_planting_recorded_through_the_registry_api_is_the_apps_season(app: Flask) -> None:
    farmer = login(app, FARMER_1)
    sown = (local_today() - timedelta(days=1)).isoformat()
    r = farmer.send("POST", f"/api/v1/fields/{FIELD}/plantings", json={"crop": "rice", "sown_on": sown})
    assert r.status_code == 201, r.get_json()
    got = farmer.get(f"/api/v1/app/fields/{FIELD}").get_json()
    assert got["crop"] == "rice" and got["today"]["season"]["crop"] == "rice"
    assert got["profile"]["planting_date"] == sown and got["planting"]["id"] == r.get_json()["id"]
