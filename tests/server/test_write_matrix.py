"""Write matrix (issue 16, F1): every write route × every role × own / other / non-consenting farm.

Every state-changing route of ``app.url_map`` must declare who may call it (``@writes`` from
server/auth/writes.py), and the gate must refuse everyone else with 401, 403 or 404 — before the
view runs. Who has standing on which farm is written out here, independently of the policy code:
farm 1 is farmer 1's (shared with officers, in the officer's commune), farm 2 farmer 2's (shared),
farm 3 farmer 3's (NOT shared), farm 4 another cooperative's; gateway 1 serves farms 1-3 and is
maintained by the technician.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from server.audit import AuditLog
from server.auth.models import User
from server.auth.passwords import normalise_phone
from server.auth.roles import Role
from server.auth.tokens import issue_token
from server.auth.writes import TARGETS, WRITE_METHODS, WriteRule, rule_for
from server.farm.models import Diagnosis, DiaryEntry
from server.registry.models import Field, Node
from server.technician.configs import push as push_config
from tests.server.conftest import PASSWORDS, ServerApp, js

ROLES = ("anonymous", "farmer1", "farmer2", "officer", "technician", "manager", "admin")
ROLE_OF = {"farmer1": Role.FARMER, "farmer2": Role.FARMER, "officer": Role.OFFICER,
           "technician": Role.TECHNICIAN, "manager": Role.MANAGER, "admin": Role.ADMIN}  # fmt: skip
FARM_KINDS = ("farm", "field", "diary_entry", "diagnosis")
KINDS = (*FARM_KINDS, "node", "gateway")
# Farms on which each person has standing to change farm data (the owner; an officer where the
# farmer shares; a manager in the cooperative), and nodes/gateways (their technician).
STANDING_FARM = {"farmer1": {1}, "farmer2": {2}, "officer": {1, 2}, "manager": {1, 2, 3},
                 "technician": set(), "admin": {1, 2, 3, 4}}  # fmt: skip
STANDING_DEVICE = {"farmer1": {1}, "farmer2": {2}, "officer": {1, 2}, "manager": {1, 2, 3},
                   "technician": {1, 2, 3}, "admin": {1, 2, 3, 4}}  # fmt: skip
HOW_TO = (
    "Declare who may call each write route with one line under its route decorator, e.g.\n"
    '    @bp.post("/api/v1/app/lots")\n'
    '    @writes(Role.FARMER, Role.ADMIN, target="field")\n'
    f"(from server.auth.writes import writes; targets: {', '.join(TARGETS)}; "
    "anonymous=True for sign-in, gateway=True for gateway-token routes; see docs/api.md)."
)


def write_routes(app: Flask) -> list[tuple[str, Rule]]:
    return sorted(
        ((m, r) for r in app.url_map.iter_rules() for m in (r.methods or set()) & WRITE_METHODS),
        key=lambda mr: (mr[1].rule, mr[0]),
    )


def test_every_write_route_declares_who_may_call_it(server_app: ServerApp) -> None:
    app = server_app.app
    missing = [
        f"  {method} {rule.rule}  (endpoint {rule.endpoint}, {app.view_functions[rule.endpoint].__module__})"
        for method, rule in write_routes(app)
        if rule_for(rule.endpoint, app.view_functions[rule.endpoint]) is None
    ]
    assert not missing, "write routes without a declaration:\n" + "\n".join(missing) + "\n" + HOW_TO


def _objects(srv: ServerApp) -> dict[int, dict[str, int]]:
    """Per farm: ids of one field, node, diary entry and diagnosis on it (rows added here)."""
    out: dict[int, dict[str, int]] = {}
    with srv.app.extensions["ruongso"].db.session() as s:
        for farm in (1, 3):
            field = s.scalars(select(Field).where(Field.farm_id == farm).order_by(Field.id)).first()
            assert field is not None
            node = s.scalars(select(Node).where(Node.field_id == field.id)).first()
            assert node is not None and node.gateway_id == 1
            entry = DiaryEntry(idempotency_key=f"matrix-{farm}", field_id=field.id, kind="other",
                               product_name="x", actives=[], applied_on=date(2026, 1, 1), note="",
                               warnings=[], created_by="1", created_at=0, updated_at=0)  # fmt: skip
            diag = Diagnosis(idempotency_key=f"matrix-{farm}", field_id=field.id, crop=field.crop or "rice",
                             photos=[], reason="abstain", created_by="1", created_at=0)  # fmt: skip
            s.add_all([entry, diag])
            push_config(s, node, {}, None)  # a signed config: writing a node over USB needs one
            s.flush()
            out[farm] = {"farm_id": farm, "field_id": field.id, "node_id": node.id, "gateway_id": 1,
                         "entry_id": entry.id, "diag_id": diag.id, "token_id": 999_999}  # fmt: skip
    return out


def _tokens(srv: ServerApp) -> dict[str, str]:
    """A read+write API token per person: the matrix tests the write policy, not the CSRF echo."""
    with srv.app.extensions["ruongso"].db.session() as s:
        out = {}
        for who, (phone, _) in PASSWORDS.items():
            user = s.scalar(select(User).where(User.phone == normalise_phone(phone)))
            assert user is not None
            out[who] = issue_token(s, user.id, "matrix", {"read", "write"})[1]
        return out


def allowed(who: str, rule: WriteRule, farm: int) -> bool:
    if rule.anonymous:
        return True
    if who == "anonymous" or ROLE_OF[who] not in rule.roles:
        return False
    if rule.target in FARM_KINDS:
        return farm in STANDING_FARM[who]
    if rule.target in ("node", "gateway"):
        return farm in STANDING_DEVICE[who]
    return True  # own_account, or the role alone decides


def _url(rule: Rule, ids: dict[str, int]) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = url.replace(f"<int:{arg}>", str(ids.get(arg, 1))).replace(f"<{arg}>", "x")
    return url


@pytest.mark.parametrize("who", ROLES)
def test_write_matrix(server_app: ServerApp, who: str) -> None:
    app = server_app.app
    objects, tokens = _objects(server_app), _tokens(server_app)
    client = app.test_client()
    headers = {} if who == "anonymous" else {"Authorization": f"Bearer {tokens[who]}"}
    failures = []
    for method, rule in write_routes(app):
        declared = rule_for(rule.endpoint, app.view_functions[rule.endpoint])
        if declared is None or declared.gateway or declared.anonymous:
            continue  # undeclared: the test above; gateway and sign-in routes have their own tests
        for farm, ids in objects.items():
            url = _url(rule, ids)
            got = client.open(url, method=method, json={"field_id": ids["field_id"]}, headers=headers)
            ok = allowed(who, declared, farm)
            if ok:  # the gate let it through (the view may still refuse it for its own reasons)
                by_gate = js(got) and js(got).get("code") == "write_forbidden"
                hidden = got.status_code == 404 and declared.target in KINDS
                wrong = got.status_code == 401 or by_gate or hidden
            else:
                wrong = got.status_code not in (401, 403, 404)
            if wrong:
                want = "allowed" if ok else "refused"
                failures.append(f"{who} {method} {url} (farm {farm}): {got.status_code}, expected {want}")
    assert not failures, "\n".join(failures)


def test_officer_cannot_touch_a_farmers_diary_lot_profile_or_photos(server_app: ServerApp) -> None:
    """The findings, through the signed-in officer's session as the attacker used it."""
    ids = _objects(server_app)[1]
    officer, manager = server_app.client("officer"), server_app.client("manager")
    field = ids["field_id"]
    spray = {"field_id": field, "kind": "spray", "product_name": "Regent 800WG", "applied_on": "2026-06-01",
             "phi_days": 30, "idempotency_key": "officer-spray-01"}  # fmt: skip
    entry_url = f"/api/v1/app/diary/{ids['entry_id']}"
    overwrite = officer.put(entry_url, json={"note": "x"}, headers={"If-Match": "1"})
    assert overwrite.status_code == 403 and js(overwrite)["code"] == "write_forbidden"
    assert officer.post("/api/v1/app/diary", json=spray).status_code == 403
    assert officer.put(f"/api/v1/app/fields/{field}/profile", json={}).status_code == 403
    assert officer.post("/api/v1/app/photos", data={"field_id": str(field)}).status_code == 403
    lot = {"field_id": field, "quantity_kg": 100, "idempotency_key": "manager-lot-0001"}
    assert manager.post("/api/v1/app/lots", json=lot).status_code == 403
    with server_app.app.extensions["ruongso"].db.session() as s:
        entry = s.get(DiaryEntry, ids["entry_id"])
        assert entry is not None and entry.version == 1 and entry.note == ""
        assert s.scalar(select(DiaryEntry).where(DiaryEntry.idempotency_key == "officer-spray-01")) is None


EDIT = {"kind": "other", "product_name": "x", "applied_on": "2026-01-01", "note": "phun lại"}


def test_every_accepted_write_is_audited(server_app: ServerApp) -> None:
    """Who, which route and target, the status — and the row's before/after from the model."""
    ids = _objects(server_app)[1]
    farmer = server_app.client("farmer1")
    r = farmer.put(f"/api/v1/app/diary/{ids['entry_id']}", json=EDIT, headers={"If-Match": "1"})
    assert r.status_code == 200, js(r)
    refused = server_app.client("officer").post(
        f"/api/v1/app/diary/{ids['entry_id']}/void", json={"reason": "x"}
    )
    assert refused.status_code == 403
    with server_app.app.extensions["ruongso"].db.session() as s:
        farmer_id = s.scalar(select(User.id).where(User.phone == normalise_phone(PASSWORDS["farmer1"][0])))
        writes = s.scalars(select(AuditLog).where(AuditLog.action == "write")).all()
        assert [(w.actor_id, w.row_key, w.changes["status"], w.changes["farm_id"]) for w in writes] == [
            (farmer_id, f"PUT /api/v1/app/diary/{ids['entry_id']}", 200, 1)
        ]
        assert writes[0].changes["fields"] == sorted(EDIT) and writes[0].changes["via"] == "session"
        row = s.scalars(
            select(AuditLog).where(AuditLog.table == "app_diary_entry", AuditLog.action == "update")
        ).one()
        assert row.actor_id == farmer_id and row.changes["note"] == ["", "phun lại"]
