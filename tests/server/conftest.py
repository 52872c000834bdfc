"""App fixtures for the server suite: a migrated, seeded registry built once and copied per test.

Seeding hashes seven demo passwords with argon2id (~2 s on a busy machine), so the template is
built once per session; each test gets its own copy, its own app and a fresh gateway token.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from demo.seed import SeedResult, seed
from server.app import create_app
from server.config import Settings
from server.db import Database

PASSWORDS = {
    "farmer1": ("0912000001", "demo-nongdan-1"),
    "farmer2": ("0912000002", "demo-nongdan-2"),
    "farmer3": ("0912000003", "demo-nongdan-3"),
    "officer": ("0912000010", "demo-khuyennong"),
    "technician": ("0912000020", "demo-kythuat"),
    "manager": ("0912000030", "demo-quanly"),
    "admin": ("0912000099", "demo-quantri"),
}


def js(response: TestResponse) -> Any:
    """The JSON body, typed for the tests (``response.json`` is Optional)."""
    return response.get_json(silent=True)


@dataclass
class ServerApp:
    app: Flask
    seeded: SeedResult

    def client(self, who: str | None = None) -> FlaskClient:
        """A test client, signed in as one of the demo people (or anonymous)."""
        c = self.app.test_client()
        if who is not None:
            phone, password = PASSWORDS[who]
            r = c.post("/api/v1/auth/login", json={"phone": phone, "password": password})
            assert r.status_code == 200, r.json
            c.environ_base["HTTP_X_CSRF_TOKEN"] = js(r)["csrf_token"]
        return c


@pytest.fixture(scope="session")
def registry_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "registry.sqlite"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    seed(db)
    db.engine.dispose()
    return path


@pytest.fixture
def make_app(registry_template: Path, tmp_path: Path) -> Iterator[Callable[..., ServerApp]]:
    apps: list[Flask] = []

    def make(**overrides: object) -> ServerApp:
        data = tmp_path / f"data{len(apps)}"
        data.mkdir()
        shutil.copy(registry_template, data / "registry.sqlite")
        app = create_app(Settings.from_env(data_dir=data, **{"tsdb_url": "embedded", **overrides}))
        apps.append(app)
        return ServerApp(app, seed(app.extensions["ruongso"].db))

    yield make
    for app in apps:
        app.extensions["ruongso"].store.close()
        app.extensions["ruongso"].db.engine.dispose()


@pytest.fixture
def server_app(make_app: Callable[..., ServerApp]) -> ServerApp:
    return make_app()
