"""Web attacks against the real app: CSRF on every state-changing endpoint, session fixation, login
brute force, SQL injection through filters and names, security headers on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.security.conftest import CREDS

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
# Endpoints that are not authenticated by the session cookie (no CSRF by design).
NO_COOKIE_AUTH = ("/api/v1/auth/login", "/api/v1/gateway/")
SQLI = [
    "1' OR '1'='1",
    "1; DROP TABLE users--",
    "' UNION SELECT key_hex FROM node--",
    '" OR 1=1; SELECT * FROM "reading"--',
    'soil_vwc" OR time > 0 --',
    "soil_vwc'; DROP MEASUREMENT reading; --",
    "%27%20OR%201=1",
    "\x00",
]
SQL_ERROR = re.compile(r"sqlite|syntax error|OperationalError|ProgrammingError|Traceback|InfluxQL", re.I)


def login(app: Flask, role: str) -> tuple[FlaskClient, str]:
    c = app.test_client()
    r = c.post("/api/v1/auth/login", json=CREDS[role])
    assert r.status_code == 200, r.get_json()
    return c, str(r.get_json()["csrf_token"])


def concrete(rule: str) -> str:
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: "1", re.sub(r"<path:\w+>", "x", rule))


def state_changing_routes(app: Flask) -> list[tuple[str, str]]:
    out = []
    for r in app.url_map.iter_rules():
        for m in sorted((r.methods or set()) & set(STATE_CHANGING)):
            if not r.rule.startswith(NO_COOKIE_AUTH):
                out.append((m, concrete(r.rule)))
    return sorted(out)


@pytest.mark.parametrize("role", ["farmer", "officer", "technician", "admin"])
def test_csrf_every_state_changing_request_needs_the_token(app: Flask, role: str) -> None:
    c, csrf = login(app, role)
    routes = state_changing_routes(app)
    assert len(routes) >= 15
    for method, url in routes:
        for headers in ({}, {"X-CSRF-Token": "forged-" + csrf[:8]}, {"X-CSRF-Token": ""}):
            r = c.open(url, method=method, json={}, headers=headers)
            assert r.status_code == 403, (role, method, url, headers, r.status_code)
    # and the token does pass the CSRF gate (whatever the write policy or the endpoint then says)
    r = c.open("/api/v1/app/diary", method="POST", json={}, headers={"X-CSRF-Token": csrf})
    assert r.status_code != 403 or r.get_json()["code"] == "write_forbidden", r.get_json()


def test_csrf_token_of_one_session_is_useless_in_another(app: Flask) -> None:
    c1, _csrf1 = login(app, "farmer")
    _c2, csrf2 = login(app, "farmer")
    r = c1.post("/api/v1/app/diary", json={}, headers={"X-CSRF-Token": csrf2})
    assert r.status_code == 403


def test_session_fixation_login_issues_a_new_id_and_logout_kills_it(app: Flask) -> None:
    c = app.test_client()
    planted = "attacker-chosen-session-id-0123456789abcdef"
    c.set_cookie("rs_session", planted)
    assert c.get("/api/v1/auth/me").status_code == 401
    r = c.post("/api/v1/auth/login", json=CREDS["farmer2"])
    assert r.status_code == 200
    cookie = c.get_cookie("rs_session")
    assert cookie is not None and cookie.value != planted and len(cookie.value) >= 32
    set_cookie = " ".join(r.headers.getlist("Set-Cookie"))
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    # the planted id is still worthless
    other = app.test_client()
    other.set_cookie("rs_session", planted)
    assert other.get("/api/v1/auth/me").status_code == 401
    # a stolen copy of the real id stops working at logout
    thief = app.test_client()
    thief.set_cookie("rs_session", cookie.value)
    assert thief.get("/api/v1/auth/me").status_code == 200
    csrf = r.get_json()["csrf_token"]
    assert c.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert thief.get("/api/v1/auth/me").status_code == 401


def test_login_brute_force_is_rate_limited_per_phone_even_with_the_right_password(app: Flask) -> None:
    c = app.test_client()
    phone = CREDS["manager"]["phone"]
    codes = [
        c.post("/api/v1/auth/login", json={"phone": phone, "password": f"guess-{i}"}).status_code
        for i in range(8)
    ]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}, codes
    r = c.post("/api/v1/auth/login", json=CREDS["manager"])
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_login_brute_force_across_phones_is_rate_limited_per_client(app: Flask) -> None:
    c = app.test_client()
    env = {"REMOTE_ADDR": "10.9.8.7"}
    codes = [
        c.post(
            "/api/v1/auth/login", json={"phone": f"0913{i:06d}", "password": "x" * 8}, environ_base=env
        ).status_code
        for i in range(40)
    ]
    assert 429 in codes and codes.index(429) <= 31, codes
    assert all(code in (401, 429) for code in codes)


def get_routes(app: Flask) -> list[str]:
    return sorted(
        {
            concrete(r.rule)
            for r in app.url_map.iter_rules()
            if "GET" in (r.methods or set()) and r.rule.startswith("/api/")
        }
    )


PARAMS = ["channel", "hours", "points", "farm", "field", "node", "from", "to", "since", "until", "q", "crop"]
PARAMS += ["market", "format", "resolution", "commune", "area", "status", "limit", "cursor", "lang", "days"]


@pytest.mark.parametrize("role", ["farmer", "admin"])
def test_sql_and_influxql_injection_through_every_filter_parameter(app: Flask, role: str) -> None:
    c, _csrf = login(app, role)
    for url in get_routes(app):
        for payload in SQLI:
            r = c.get(url, query_string={p: payload for p in PARAMS})
            body = r.get_data(as_text=True)
            assert r.status_code < 500, (url, payload, r.status_code, body[:300])
            assert not SQL_ERROR.search(body), (url, payload, body[:300])


def test_injection_through_path_names_is_refused(app: Flask) -> None:
    c, _ = login(app, "admin")
    for n, payload in enumerate(SQLI[:6]):
        c.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 1}"  # each its own address: lot look-ups are throttled
        for url in ("/api/v1/public/lots/{}", "/api/v1/lots/{}/qr.svg", "/api/v1/app/photos/{}", "/lot/{}"):
            r = c.get(url.format(payload.replace("/", "%2F")))
            assert r.status_code in (400, 404, 422), (url, payload, r.status_code)


def test_names_with_sql_are_stored_verbatim_and_break_nothing(app: Flask) -> None:
    c, csrf = login(app, "farmer")
    h = {"X-CSRF-Token": csrf}
    field = c.get("/api/v1/app/farms").get_json()
    field_id = first_field_id(field)
    note = "'); DROP TABLE diary_entry; -- " + SQLI[2]
    r = c.post(
        "/api/v1/app/diary",
        json={
            "field_id": field_id,
            "kind": "other",
            "product_name": note[:50],
            "note": note,
            "idempotency_key": "sec-sqli-0001",
        },
        headers=h,
    )
    assert r.status_code in (200, 201), r.get_json()
    diary = c.get(f"/api/v1/app/fields/{field_id}/diary").get_json()
    assert note in str(diary)
    r = c.patch("/api/v1/farms/1", json={"name": "Farm'); DELETE FROM farm; --"}, headers=h)
    assert r.status_code in (200, 204, 403, 404, 422), r.status_code
    assert c.get("/api/v1/app/farms").status_code == 200


def first_field_id(doc: Any) -> int:
    return int(doc["farms"][0]["fields"][0]["id"])


APP_PAGES = ["/", "/app/", "/officer/", "/tech/", "/lot/UNKNOWN", "/sw.js", "/manifest.webmanifest"]
APP_PAGES += ["/api/v1/app/home", "/api/v1/app/farms", "/api/v1/officer/map", "/api/v1/tech/fleet"]
CORE_PAGES = ["/api/docs", "/api/v1/auth/me", "/api/v1/openapi.json", "/api/v1/farms", "/api/v1/audit"]


def check_headers(c: FlaskClient, urls: list[str]) -> None:
    for url in urls:
        r = c.get(url)
        csp = r.headers.get("Content-Security-Policy", "")
        assert csp, (url, r.status_code)
        script_src = next((d for d in csp.split(";") if d.strip().startswith("script-src")), "")
        script_src = script_src or next(d for d in csp.split(";") if d.strip().startswith("default-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, (url, csp)
        assert "frame-ancestors 'none'" in csp or r.headers.get("X-Frame-Options") == "DENY", url
        assert r.headers.get("X-Content-Type-Options") == "nosniff", url
        if r.mimetype == "text/html":
            html = r.get_data(as_text=True)
            inline = [s for s in re.findall(r"<script\b([^>]*)>", html, re.I) if "src=" not in s]
            assert not inline, (url, inline)
            assert not re.search(r"\son[a-z]+\s*=", html, re.I), (url, "inline event handler")
        if r.mimetype in ("application/json", "application/problem+json") and url.startswith("/api/v1/a"):
            cache = r.headers.get("Cache-Control", "")
            assert "no-store" in cache or "private" in cache, (url, cache)  # never in a shared cache


@pytest.mark.parametrize("role", [None, "farmer", "officer"])
def test_security_headers_and_no_inline_script_on_every_app_page(app: Flask, role: str | None) -> None:
    check_headers(login(app, role)[0] if role else app.test_client(), APP_PAGES)


@pytest.mark.parametrize("role", [None, "admin"])
def test_security_headers_and_no_inline_script_on_server_core_pages(app: Flask, role: str | None) -> None:
    check_headers(login(app, role)[0] if role else app.test_client(), CORE_PAGES)


def test_api_denies_by_default_without_a_session(app: Flask) -> None:
    c = app.test_client()
    public = ("/api/v1/openapi.json", "/api/v1/public/", "/api/v1/lots/", "/api/v1/gateway/")
    for url in get_routes(app):
        if url.startswith(public) or url == "/api/docs":  # the explorer page is public by design
            continue
        r = c.get(url)
        assert r.status_code == 401, (url, r.status_code)
        assert r.mimetype == "application/problem+json", url


def test_request_bodies_are_bounded_before_parsing(app: Flask) -> None:
    limit = app.config.get("MAX_CONTENT_LENGTH")
    assert limit is not None and limit <= 64 * 1024 * 1024
    c = app.test_client()
    big = {"CONTENT_LENGTH": str(limit + 1)}  # the claimed length is enough: nothing is read
    r = c.post("/api/v1/auth/login", data=b"{}", content_type="application/json", environ_overrides=big)
    assert r.status_code == 413
    for url in ("/api/v1/app/photos", "/api/v1/gateway/frames"):  # anonymous: refused either way
        r = c.post(url, data=b"{}", content_type="application/json", environ_overrides=big)
        assert r.status_code in (401, 403, 413), (url, r.status_code)
