"""App fixtures for the server suite: a migrated, seeded registry built once and copied per test.

Seeding hashes seven demo passwords with argon2id (~2 s on a busy machine), so the template is
built once per session; each test gets its own copy, its own app and a fresh gateway token.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.test import TestResponse

from demo.seed import SeedResult, seed
from ruongso.app import create_app
from server.config import Settings
from server.db import Database
from tests.services import Service

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
    add_other_tenant(db)
    db.engine.dispose()
    return path


OTHER_NODE = 9001


def add_other_tenant(db: Database) -> None:
    """A second cooperative in a commune nobody demo-assigned, with its own gateway and node (farm 4)."""
    from server.registry.areas import AdminArea
    from server.registry.models import Cooperative, Farm, Field, Gateway, Node

    square = {
        "type": "Polygon",
        "coordinates": [[[105.6, 21.3], [105.601, 21.3], [105.601, 21.301], [105.6, 21.3]]],
    }
    with db.session() as s:
        area = AdminArea(name="xã Sông Lô", level="commune")
        coop = Cooperative(name="HTX khác", province="Phú Thọ", commune="xã Sông Lô")
        s.add_all([area, coop])
        s.flush()
        farm = Farm(name="Trại khác", owner_name="Người khác", commune="xã Sông Lô", commune_id=area.id,
                    cooperative=coop, share_with_officers=True)  # fmt: skip
        field = Field(farm=farm, name="Ruộng khác", crop="rice")
        field.geometry = square
        gateway = Gateway(name="Cổng khác", token_hash="0" * 64)
        s.add_all([farm, field, gateway])
        s.add(Node(id=OTHER_NODE, name="1", field=field, gateway=gateway, key_hex="00" * 16, sensors=[]))


@pytest.fixture(scope="session")
def pg_template(postgres: Service) -> str:
    """A seeded PostgreSQL database that each test clones (CREATE DATABASE … TEMPLATE)."""
    url = postgres.extra["url"].rsplit("/", 1)[0]
    _sql(postgres, 'CREATE DATABASE "ruongso_template"')
    db = Database(f"{url}/ruongso_template")
    db.upgrade()
    seed(db)
    add_other_tenant(db)
    db.engine.dispose()
    return url


def _sql(postgres: Service, statement: str) -> None:
    engine = create_engine(postgres.extra["url"], isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request: pytest.FixtureRequest, make_app: Callable[..., ServerApp]) -> ServerApp:
    """The app on SQLite and on a real PostgreSQL: the registry suite runs on both."""
    if request.param == "sqlite":
        return make_app()
    pg: Service = request.getfixturevalue("postgres")
    base = request.getfixturevalue("pg_template")
    name = "t_" + uuid.uuid4().hex[:12]
    _sql(pg, f'CREATE DATABASE "{name}" TEMPLATE "ruongso_template"')
    return make_app(database_url=f"{base}/{name}")


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
