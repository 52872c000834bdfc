"""Authorization matrix: every scoped endpoint × every role × own / other tenant / consented / not.

The expectations are written out here independently of server/auth/policy.py. Farms: 1, 2
(consented, officer's communes), 3 (not consented), 4 (another cooperative, commune, gateway).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from server.registry.models import Farm, Field, Node
from tests.server.conftest import ServerApp, js

ROLES = ("anonymous", "farmer1", "officer", "technician", "manager", "admin")
FARMS = (1, 2, 3, 4)
VIEW_FARM = {
    "farmer1": {1},
    "officer": {1, 2},
    "technician": set(),
    "manager": {1, 2, 3},
    "admin": {1, 2, 3, 4},
}
VIEW_NODE = VIEW_FARM | {"technician": {1, 2, 3}}
EDIT_FARM = {"farmer1": {1}, "admin": {1, 2, 3, 4}}
EDIT_NODE = {"technician": {1, 2, 3}, "admin": {1, 2, 3, 4}}
VIEW_COMMUNE = {"officer": {1, 2, 3}, "admin": {1, 2, 3, 4}}
GATEWAY = {"technician": {1, 2, 3}, "admin": {1, 2, 3, 4}}  # gateway 1 serves farms 1–3, gateway 2 farm 4
GEOM = {
    "type": "Polygon",
    "coordinates": [[[105.5, 21.2], [105.501, 21.2], [105.501, 21.201], [105.5, 21.2]]],
}

# (method, path template, body, who may see the target, who may change it)
CASES: list[tuple[str, str, dict[str, Any] | None, dict[str, set[int]], dict[str, set[int]] | None]] = [
    ("GET", "/api/v1/farms/{farm}", None, VIEW_FARM, None),
    ("PATCH", "/api/v1/farms/{farm}", {"share_with_officers": True}, VIEW_FARM, EDIT_FARM),
    ("GET", "/api/v1/fields/{field}", None, VIEW_FARM, None),
    (
        "POST",
        "/api/v1/farms/{farm}/fields",
        {"name": "Mới", "crop": "rice", "geometry": GEOM},
        VIEW_FARM,
        EDIT_FARM,
    ),
    ("GET", "/api/v1/fields/{field}/daily", None, VIEW_FARM, None),
    ("GET", "/api/v1/fields/{field}/readings", None, VIEW_FARM, None),
    (
        "POST",
        "/api/v1/fields/{field}/plantings",
        {"crop": "rice", "sown_on": "2026-06-01"},
        VIEW_FARM,
        EDIT_FARM,
    ),
    ("GET", "/api/v1/nodes/{node}", None, VIEW_NODE, None),
    ("PATCH", "/api/v1/nodes/{node}", {"probe_depth_cm": 30}, VIEW_NODE, EDIT_NODE),
    ("GET", "/api/v1/nodes/{node}/readings", None, VIEW_NODE, None),
    ("GET", "/api/v1/nodes/{node}/readings.csv", None, VIEW_NODE, None),
    ("GET", "/api/v1/nodes/{node}/series", None, VIEW_NODE, None),
    ("GET", "/api/v1/communes/{commune}/summary", None, VIEW_COMMUNE, None),
    ("POST", "/api/v1/gateways/{gateway}/token", None, GATEWAY, GATEWAY),
]


def targets(srv: ServerApp) -> dict[int, dict[str, int]]:
    with srv.app.extensions["ruongso"].db.session() as s:
        out = {}
        for farm in s.scalars(select(Farm).order_by(Farm.id)):
            field = s.scalars(select(Field).where(Field.farm_id == farm.id).order_by(Field.id)).first()
            assert field is not None and farm.commune_id is not None
            node = s.scalars(select(Node).where(Node.field_id == field.id)).first()
            assert node is not None
            assert node.gateway_id is not None
            out[farm.id] = {"farm": farm.id, "field": field.id, "node": node.id, "commune": farm.commune_id,
                            "gateway": node.gateway_id}  # fmt: skip
        return out


def expected(
    role: str, method: str, farm: int, view: dict[str, set[int]], edit: dict[str, set[int]] | None
) -> int:
    if role == "anonymous":
        return 401
    if farm not in view.get(role, set()):
        return 404  # invisible objects are not revealed
    if edit is not None and farm not in edit.get(role, set()):
        return 403
    return 201 if method == "POST" else 200


@pytest.mark.parametrize("role", ROLES)
def test_scoped_endpoints(any_app: ServerApp, role: str) -> None:
    client = any_app.client(None if role == "anonymous" else role)
    objects = targets(any_app)
    failures = []
    for method, template, body, view, edit in CASES:
        for farm in FARMS:
            url = template.format(**objects[farm])
            got = client.open(url, method=method, json=body).status_code
            want = expected(role, method, farm, view, edit)
            if got != want:
                failures.append(f"{role} {method} {url} (farm {farm}): {got}, expected {want}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES[1:])
def test_lists_hold_exactly_what_the_role_may_see(any_app: ServerApp, role: str) -> None:
    c = any_app.client(role)
    assert {f["id"] for f in js(c.get("/api/v1/farms"))["items"]} == VIEW_FARM[role]
    assert {f["id"] for f in js(c.get("/api/v1/overview"))["farms"]} == VIEW_FARM[role]
    assert set(js(c.get("/api/v1/auth/me"))["farm_ids"]) == VIEW_FARM[role]
    gateways = {g["id"] for g in js(c.get("/api/v1/gateways"))["items"]}
    assert gateways == {"technician": {1}, "admin": {1, 2}}.get(role, set())
    assert c.get("/api/v1/audit").status_code == (200 if role == "admin" else 403)


def test_every_api_endpoint_is_closed_to_anonymous_callers(server_app: ServerApp) -> None:
    """Deny by default, including endpoints added later by other blueprints."""
    app, c = server_app.app, server_app.app.test_client()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if (
            not rule.rule.startswith("/api/")
            or getattr(view, "_public", False)
            or rule.endpoint.startswith("ingest.")
        ):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x").replace(f"<path:{arg}>", "x")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert c.open(url, method=method).status_code == 401, f"{method} {rule.rule}"


def test_the_matrix_covers_every_core_endpoint(server_app: ServerApp) -> None:
    covered = {(m, re.sub(r"\{\w+\}", "{}", t)) for m, t, *_ in CASES}
    for rule in server_app.app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in {"registry", "plantings", "devices", "series"} and "<" in rule.rule:
            for m in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                assert (m, re.sub(r"<[^>]+>", "{}", rule.rule)) in covered, (
                    f"{m} {rule.rule} missing from CASES"
                )
