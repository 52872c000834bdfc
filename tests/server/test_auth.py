"""Sign-in on the real app: phone formats, cookies, session fixation, CSRF, rate limit, API tokens."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from server.auth.passwords import normalise_phone
from tests.server.conftest import ServerApp, js

LOGIN = "/api/v1/auth/login"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0912000001", "+84912000001"),
        ("+84 912 000 001", "+84912000001"),
        ("84-912-000-001", "+84912000001"),
        ("0912.000.001", "+84912000001"),
        ("0312345678", "+84312345678"),
        ("0212345678", None),  # landline-like prefix: not a mobile
        ("091200001", None),
        ("+1 912 000 0011", None),
        ("", None),
    ],
)
def test_phone_numbers_are_normalised(text: str, expected: str | None) -> None:
    assert normalise_phone(text) == expected


def test_login_sets_secure_cookies_and_a_fresh_session(make_app: Callable[..., ServerApp]) -> None:
    srv = make_app(cookie_secure=True)
    c = srv.app.test_client()
    c.set_cookie("rs_session", "attacker-chosen-id")
    r = c.post(LOGIN, json={"phone": "+84912000001", "password": "demo-nongdan-1"})
    assert r.status_code == 200 and js(r)["role"] == "farmer" and js(r)["farm_ids"] == [1]
    cookies = {h.split("=", 1)[0]: h for h in r.headers.getlist("Set-Cookie")}
    session_cookie = cookies["rs_session"]
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie and "Secure" in session_cookie
    assert "attacker-chosen-id" not in session_cookie  # never adopt a presented id (fixation)
    assert "HttpOnly" not in cookies["rs_csrf"]  # the page's script must read it


def test_wrong_password_and_bad_phone(server_app: ServerApp) -> None:
    c = server_app.app.test_client()
    assert c.post(LOGIN, json={"phone": "0912000001", "password": "nope-nope"}).status_code == 401
    assert c.post(LOGIN, json={"phone": "12345", "password": "x"}).status_code == 400
    assert c.post(LOGIN, data="phone=0912000001&password=demo-nongdan-1").status_code == 415  # form: no


def test_csrf_is_required_on_state_changing_cookie_requests(any_app: ServerApp) -> None:
    c = any_app.client("farmer1")
    token = c.environ_base.pop("HTTP_X_CSRF_TOKEN")
    assert c.patch("/api/v1/farms/1", json={"name": "Trang trại Hùng"}).status_code == 403
    assert (
        c.patch("/api/v1/farms/1", json={"name": "X"}, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    )
    r = c.patch("/api/v1/farms/1", json={"name": "Trang trại Hùng"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and js(r)["name"] == "Trang trại Hùng"


def test_logout_ends_the_session_on_the_server(any_app: ServerApp) -> None:
    c = any_app.client("farmer1")
    stolen = c.get_cookie("rs_session")
    assert stolen is not None
    assert c.post("/api/v1/auth/logout").status_code == 204
    replay = any_app.app.test_client()
    replay.set_cookie("rs_session", stolen.value)
    assert replay.get("/api/v1/auth/me").status_code == 401


def test_rate_limit_is_shared_through_the_database(make_app: Callable[..., ServerApp]) -> None:
    """Two apps on one database stand for two gunicorn workers."""
    first = make_app()
    url = first.app.config["RUONGSO_SETTINGS"].database_url
    second = make_app(database_url=url)
    bad = {"phone": "0912000002", "password": "wrong-password"}
    for i in range(5):
        worker = (first if i % 2 else second).app.test_client()
        assert worker.post(LOGIN, json=bad).status_code == 401
    good = {"phone": "0912000002", "password": "demo-nongdan-2"}
    r = first.app.test_client().post(LOGIN, json=good)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert (
        second.app.test_client()
        .post(LOGIN, json={**good, "phone": "0912000001", "password": "demo-nongdan-1"})
        .status_code
        == 200
    )


def test_api_tokens_are_scoped_and_revocable(any_app: ServerApp) -> None:
    c = any_app.client("farmer1")
    read = c.post("/api/v1/auth/tokens", json={"name": "script", "scopes": ["read"]})
    assert read.status_code == 201 and js(read)["token"].startswith("rs_")
    bearer = {"Authorization": f"Bearer {js(read)['token']}"}
    anon = any_app.app.test_client()
    assert js(anon.get("/api/v1/farms", headers=bearer))["paging"]["total"] == 1
    assert anon.patch("/api/v1/farms/1", json={"name": "x"}, headers=bearer).status_code == 403  # read-only
    assert "token" not in js(c.get("/api/v1/auth/tokens"))["items"][0]  # the secret is shown once
    assert c.delete(f"/api/v1/auth/tokens/{js(read)['id']}").status_code == 204
    assert anon.get("/api/v1/farms", headers=bearer).status_code == 401
    assert any_app.client("farmer2").delete(f"/api/v1/auth/tokens/{js(read)['id']}").status_code == 404
