"""No per-machine state (issue 19): two app hosts with their own data directories and one registry
see the same gateway health and rules, the same signed-in users, and the same photos."""

from __future__ import annotations

import json
from collections.abc import Callable

from server.blobs import open_blob_store
from server.technician import gateway_health as gateway_docs
from tests.server.conftest import PASSWORDS, ServerApp, js

SECRET = "ab" * 32  # every host of a deployment shares RUONGSO_SECRET_KEY


def two_hosts(any_app: ServerApp, make_app: Callable[..., ServerApp]) -> tuple[ServerApp, ServerApp]:
    """A second app on the same registry (but its own data directory) beside ``any_app``."""
    url = any_app.app.config["RUONGSO_SETTINGS"].database_url
    first = make_app(database_url=url, secret_key=SECRET)
    return first, make_app(database_url=url, secret_key=SECRET)


def test_health_pushed_to_one_host_is_read_on_the_other(
    any_app: ServerApp, make_app: Callable[..., ServerApp]
) -> None:
    a, b = two_hosts(any_app, make_app)
    auth = {"Authorization": f"Bearer {b.seeded.gateway_token}"}  # the latest seed's token
    doc = {"nodes": {"4098": {"node_id": 4098, "accepted": 90, "frames_lost": 10, "loss_ratio": 0.1}}}
    assert a.app.test_client().post("/api/v1/gateway/health", json=doc, headers=auth).status_code == 204
    again = {"nodes": {"4098": {"node_id": 4098, "accepted": 95, "frames_lost": 5, "loss_ratio": 0.05}}}
    assert b.app.test_client().post("/api/v1/gateway/health", json=again, headers=auth).status_code == 204
    latest = a.app.test_client().get("/api/v1/gateway/health", headers=auth)
    assert latest.status_code == 200 and js(latest)["nodes"]["4098"]["loss_ratio"] == 0.05
    assert not list(a.app.config["RUONGSO_SETTINGS"].data_dir.glob("gateway-health/*"))
    # The technician on host A sees the loss the gateway pushed through host B.
    fleet = js(a.client("technician").get("/api/v1/tech/fleet"))
    assert next(n for n in fleet["nodes"] if n["id"] == 4098)["frame_loss"] == 0.05


def test_an_older_rules_file_is_imported_once_then_every_host_serves_it(
    any_app: ServerApp, make_app: Callable[..., ServerApp]
) -> None:
    a, b = two_hosts(any_app, make_app)
    auth = {"Authorization": f"Bearer {b.seeded.gateway_token}"}  # the latest seed's token
    assert js(b.app.test_client().get("/api/v1/gateway/rules", headers=auth)) == {"version": 0, "rules": []}
    gateway_id = js(a.app.test_client().get("/api/v1/gateway/config", headers=auth))["gateway_id"]
    legacy = a.app.config["RUONGSO_SETTINGS"].data_dir / "gateway-rules" / f"{gateway_id}.json"
    legacy.parent.mkdir()
    rules = {"version": 3, "rules": [{"id": "refill-1", "field_id": 1, "below": 0.2, "valve": "v1"}]}
    legacy.write_text(json.dumps(rules))
    assert js(a.app.test_client().get("/api/v1/gateway/rules", headers=auth)) == rules
    assert not legacy.exists() and legacy.with_name(legacy.name + ".imported").exists()
    assert js(b.app.test_client().get("/api/v1/gateway/rules", headers=auth)) == rules
    newer = {"version": 4, "rules": []}
    with b.app.extensions["ruongso"].db.session() as session:
        gateway_docs.save(session, gateway_id, gateway_docs.RULES, newer, 0)
    assert js(a.app.test_client().get("/api/v1/gateway/rules", headers=auth)) == newer


def test_a_signed_in_farmer_stays_signed_in_on_the_other_host(
    any_app: ServerApp, make_app: Callable[..., ServerApp]
) -> None:
    a, b = two_hosts(any_app, make_app)
    phone, password = PASSWORDS["farmer1"]
    on_a = a.app.test_client()
    r = on_a.post("/api/v1/auth/login", json={"phone": phone, "password": password})
    assert r.status_code == 200
    cookie = on_a.get_cookie("rs_session")
    assert cookie is not None
    on_b = b.app.test_client()
    on_b.set_cookie("rs_session", cookie.value)
    me = on_b.get("/api/v1/auth/me")
    assert me.status_code == 200 and js(me)["phone"] == "+84" + phone[1:]


def test_photos_written_by_one_host_are_read_by_another_from_the_shared_directory(tmp_path: object) -> None:
    from pathlib import Path

    shared = Path(str(tmp_path)) / "shared-blobs"
    key = open_blob_store(shared).put(b"\xff\xd8 a leaf photo")
    assert open_blob_store(shared).get(key) == b"\xff\xd8 a leaf photo"
    assert open_blob_store(shared).put(b"\xff\xd8 a leaf photo") == key  # a retry stores nothing twice
