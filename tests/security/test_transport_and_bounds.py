"""Transport and protocol details an attacker probed (issue 16): HSTS on HTTPS, no version banner
from the server, ``bearer`` in any case, ``Allow`` on 405, a mislabelled body refused (it was
read as ``{}`` and answered 200)."""

from __future__ import annotations

import requests
from flask import Flask

from server.security import HSTS
from tests.mobile_api.seeding import serve
from tests.security.test_web import login


def test_hsts_on_https_only(app: Flask) -> None:
    https = app.test_client().get("/api/v1/openapi.json", base_url="https://truyxuat.example.vn")
    assert https.headers["Strict-Transport-Security"] == HSTS
    plain = app.test_client().get("/api/v1/openapi.json")
    assert "Strict-Transport-Security" not in plain.headers  # meaningless (and ignored) over HTTP


def test_the_server_names_no_versions(app: Flask) -> None:
    with serve(app) as base:
        r = requests.get(f"{base}/api/v1/openapi.json", timeout=30)
    assert r.status_code == 200
    assert r.headers["Server"] == "ruongso"
    assert "werkzeug" not in str(r.headers).lower() and "python" not in str(r.headers).lower()


def test_bearer_scheme_in_any_case(app: Flask) -> None:
    farmer, csrf = login(app, "farmer")
    token = farmer.post("/api/v1/auth/tokens", json={"name": "cli", "scopes": ["read"]},
                        headers={"X-CSRF-Token": csrf}).get_json()["token"]  # fmt: skip
    admin, admin_csrf = login(app, "admin")
    gateway = admin.post("/api/v1/gateways/1/token", headers={"X-CSRF-Token": admin_csrf}).get_json()["token"]
    c = app.test_client()
    for scheme in ("Bearer", "bearer", "BEARER"):
        me = c.get("/api/v1/auth/me", headers={"Authorization": f"{scheme} {token}"})
        assert me.status_code == 200 and me.get_json()["role"] == "farmer", scheme
        config = c.get("/api/v1/gateway/config", headers={"Authorization": f"{scheme} {gateway}"})
        assert config.status_code == 200 and config.get_json()["gateway_id"] == 1, scheme
    assert c.get("/api/v1/auth/me", headers={"Authorization": f"Basic {token}"}).status_code == 401


def test_405_says_which_methods_are_allowed(app: Flask) -> None:
    r = app.test_client().put("/api/v1/auth/login", json={})
    assert r.status_code == 405 and r.mimetype == "application/problem+json"
    assert {m.strip() for m in r.headers["Allow"].split(",")} >= {"POST", "OPTIONS"}


def test_a_mislabelled_body_is_refused_not_read_as_empty(app: Flask) -> None:
    farmer, csrf = login(app, "farmer")
    field_id = farmer.get("/api/v1/app/farms").get_json()["farms"][0]["fields"][0]["id"]
    before = farmer.get(f"/api/v1/app/fields/{field_id}").get_json()
    for body, kind in (('{"soil": "clay"}', "text/plain"), ("soil=clay", "application/x-www-form-urlencoded"),
                       ("\x00\xff garbage", "application/octet-stream")):  # fmt: skip
        r = farmer.put(f"/api/v1/app/fields/{field_id}/profile", data=body, content_type=kind,
                       headers={"X-CSRF-Token": csrf})  # fmt: skip
        assert r.status_code == 400 and r.mimetype == "application/problem+json", (kind, r.status_code)
        assert "application/json" in r.get_json()["detail"]
    assert farmer.get(f"/api/v1/app/fields/{field_id}").get_json() == before
