"""Fixtures: the real app on a temporary data directory, seeded once per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.mobile_api.seeding import seeded_app

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
