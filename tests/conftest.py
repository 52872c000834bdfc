"""Session-wide real services for the suite: started on loopback, stopped at the end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.services import Service, start_influxd


@pytest.fixture(scope="session")
def influxd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = start_influxd(tmp_path_factory.mktemp("influxd"))
    yield svc
    svc.stop()


@pytest.fixture
def influx_url(influxd: Service, request: pytest.FixtureRequest) -> str:
    """A fresh database per test, on the session's influxd."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name)[:60]
    return f"influx://127.0.0.1:{influxd.port}/{name}"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A real PostgreSQL for the registry suite (Debian's postgresql-15, temporary cluster)."""
    from tests.services import start_postgres

    svc = start_postgres(tmp_path_factory.mktemp("postgres"))
    yield svc
    svc.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty registry database for migration tests: a SQLite file, then a fresh database on the
    session's real PostgreSQL (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('registry') / 'registry.sqlite'}"
        return
    pg: Service = request.getfixturevalue("postgres")
    name = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(pg.extra["url"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield pg.extra["url"].rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


# Browser assertions wait until their condition holds; on a loaded 2-core CI machine a screen can
# take longer than Playwright's 5 s default to render, so allow more before calling it a failure.
expect.set_options(timeout=20_000)
