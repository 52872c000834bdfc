"""Fixtures: the real app on a temporary data directory, seeded once per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.mobile_api.seeding import seeded_app
from tests.services import CHROMIUM, CHROMIUM_ARGS

FARMER_1 = {"phone": "0912000001", "password": "demo-nongdan-1"}
FARMER_3 = {"phone": "0912000003", "password": "demo-nongdan-3"}
OFFICER = {"phone": "0912000010", "password": "demo-khuyennong"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = seeded_app(tmp_path_factory.mktemp("app"), history_days=3)
    yield app
    app.extensions["ruongso"].store.close()


class Client:
    """A logged-in test client that sends the CSRF header on writes."""

    def __init__(self, client: FlaskClient, csrf: str) -> None:
        self.c, self.csrf = client, csrf

    def get(self, url: str, **kw: Any) -> Any:
        return self.c.get(url, **kw)

    def send(self, method: str, url: str, **kw: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf} | kw.pop("headers", {})
        return self.c.open(url, method=method, headers=headers, **kw)


def login(app: Flask, creds: dict[str, str]) -> Client:
    c = app.test_client()
    r = c.post("/api/v1/auth/login", json=creds)
    assert r.status_code == 200, r.get_json()
    return Client(c, r.get_json()["csrf_token"])


@pytest.fixture
def farmer(app: Flask) -> Client:
    return login(app, FARMER_1)


@pytest.fixture
def officer(app: Flask) -> Client:
    return login(app, OFFICER)


@pytest.fixture
def data_root(app: Flask) -> Path:
    return Path(app.config["RUONGSO_SETTINGS"].data_dir)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium (the Debian package the test command installs), one per browser module."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def farmer_phone(browser: Browser, url: str) -> tuple[BrowserContext, Page]:
    """Farmer 1 signed in on a phone-sized, touch, Vietnamese browser, the home screen drawn."""
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    page = ctx.new_page()
    page.goto(url + "/")
    page.get_by_label("Số điện thoại").fill("0912 000 001")
    page.get_by_label("Mật khẩu").fill("demo-nongdan-1")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator(".advice").first).to_be_visible()
    return ctx, page
