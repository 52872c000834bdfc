"""Lots, diagnoses and field profiles keep their before/after in the audit log, like the registry.

Through the HTTP writes a farmer and an officer make; the audit rows are read from the registry as
an auditor would (issue 16: "every write audited with who, what and before/after").
"""

from __future__ import annotations

from sqlalchemy import select

from server.audit import AuditLog
from server.auth.models import User
from server.auth.passwords import normalise_phone
from server.farm.models import Diagnosis
from server.registry.models import Field
from tests.server.conftest import PASSWORDS, ServerApp, js


def user_id(srv: ServerApp, who: str) -> int:
    with srv.app.extensions["ruongso"].db.session() as s:
        uid = s.scalar(select(User.id).where(User.phone == normalise_phone(PASSWORDS[who][0])))
        assert uid is not None
        return uid


def audit_rows(srv: ServerApp, table: str) -> list[AuditLog]:
    with srv.app.extensions["ruongso"].db.session() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.table == table).order_by(AuditLog.id)).all()
        s.expunge_all()
        return list(rows)


def first_field(srv: ServerApp, farm: int) -> int:
    with srv.app.extensions["ruongso"].db.session() as s:
        field = s.scalars(select(Field).where(Field.farm_id == farm).order_by(Field.id)).first()
        assert field is not None
        return field.id


def test_a_field_profile_change_is_logged_with_before_and_after(server_app: ServerApp) -> None:
    field, farmer = first_field(server_app, 1), server_app.client("farmer1")
    for market in ("VN", "EU"):
        r = farmer.put(f"/api/v1/app/fields/{field}/profile", json={"market": market})
        assert r.status_code == 200, js(r)
    farmer_id = user_id(server_app, "farmer1")
    rows = [r for r in audit_rows(server_app, "app_field_profile") if r.actor_id == farmer_id]
    assert rows and all(r.row_key == str(field) for r in rows)
    assert rows[-1].action == "update" and rows[-1].changes["market"] == ["VN", "EU"]


def test_a_new_lot_is_logged_with_its_values(server_app: ServerApp) -> None:
    field, farmer = first_field(server_app, 1), server_app.client("farmer1")
    lot = {"field_id": field, "quantity_kg": 120.5, "idempotency_key": "audit-lot-0001"}
    r = farmer.post("/api/v1/app/lots", json=lot)
    assert r.status_code == 201, js(r)  # the demo's first field has no spray holding its harvest
    rows = audit_rows(server_app, "app_lot")
    (row,) = rows
    assert (row.action, row.actor_id) == ("insert", user_id(server_app, "farmer1"))
    assert row.changes["quantity_kg"] == 120.5 and row.changes["code"] == js(r)["code"]
    assert row.row_key == str(row.changes["id"]) and row.changes["field_id"] == field


def test_an_officers_review_is_logged_with_before_and_after(server_app: ServerApp) -> None:
    field = first_field(server_app, 1)
    with server_app.app.extensions["ruongso"].db.session() as s:
        diag = Diagnosis(idempotency_key="audit-diag", field_id=field, crop="rice", photos=[],
                         reason="abstain", result={"top": []}, created_by="1", created_at=0)  # fmt: skip
        s.add(diag)
        s.commit()
        diag_id = diag.id
    review = {"action": "correct", "label": "rice__brown_spot"}
    r = server_app.client("officer").post(f"/api/v1/officer/reviews/{diag_id}", json=review)
    assert r.status_code == 200, js(r)
    inserted, *updates = audit_rows(server_app, "app_diagnosis")
    assert inserted.action == "insert" and inserted.changes["review_status"] == "pending"
    assert not {"result", "lat", "lon"} & set(inserted.changes)  # derived, or private: not copied
    (update,) = updates
    assert (update.action, update.actor_id, update.row_key) == ("update", user_id(server_app, "officer"),
                                                                 str(diag_id))  # fmt: skip
    before, after = update.changes["review_status"]
    assert before == "pending" and after != "pending"
    assert update.changes["reviewed_by"][0] is None and update.changes["reviewed_by"][1]
    assert update.changes["review_label"] == [None, "rice__brown_spot"]
