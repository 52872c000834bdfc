"""``farm server migrate|user-add|daily`` through the installed script, on a temporary SQLite registry."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.farmrun import clean_env, farm, ok, one_line_error

PASSWORD = clean_env(RUONGSO_NEW_PASSWORD="mat-khau-dai-1")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose registry ``farm server migrate`` brought to head, shared by the module."""
    data = tmp_path_factory.mktemp("server")
    assert "registry schema at head" in ok(farm("server", "migrate", "--data-dir", str(data), cwd=data))
    return data


def _users(data: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(data / "registry.sqlite") as db:
        return list(db.execute("SELECT phone, name, role FROM app_user ORDER BY phone"))


def test_migrate_creates_the_registry(registry: Path) -> None:
    with sqlite3.connect(registry / "registry.sqlite") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"alembic_version", "app_user"} <= tables


def test_user_add_stores_a_person_who_can_be_found_by_phone(registry: Path) -> None:
    args = [
        "--data-dir",
        str(registry),
        "--phone",
        "0912 345 678",
        "--name",
        "Nguyễn Văn An",
        "--role",
        "farmer",
    ]
    out = ok(farm("server", "user-add", *args, cwd=registry, env=PASSWORD))
    assert out.strip() == "added farmer +84912345678"
    assert ("+84912345678", "Nguyễn Văn An", "farmer") in _users(registry)
    again = farm("server", "user-add", *args, cwd=registry, env=PASSWORD)
    one_line_error(again, "+84912345678", "already exists")
    assert [u for u in _users(registry) if u[0] == "+84912345678"] == [
        ("+84912345678", "Nguyễn Văn An", "farmer")
    ]


@pytest.mark.parametrize(
    ("args", "env", "needles"),
    [
        (["--phone", "12345", "--name", "A", "--role", "farmer"], PASSWORD, ["--phone", "12345"]),
        (["--phone", "0912000777", "--name", "A", "--role", "king"], PASSWORD, ["--role", "farmer"]),
        (
            ["--phone", "0912000777", "--name", "A", "--role", "farmer"],
            clean_env(RUONGSO_NEW_PASSWORD="short"),
            ["8"],
        ),
    ],
)
def test_user_add_bad_input_is_one_line_exit_2(
    registry: Path, args: list[str], env: dict[str, str], needles: list[str]
) -> None:
    before = _users(registry)
    one_line_error(
        farm("server", "user-add", "--data-dir", str(registry), *args, cwd=registry, env=env), *needles
    )
    assert _users(registry) == before


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["daily", "--days", "0"], ["--days"]),
        (["run", "--port", "99999"], ["--port"]),
        (["run", "--tsdb", "postgres://x"], ["--tsdb", "influx://"]),
        (["migrate", "--name", "An"], ["--name", "user-add"]),
        (["backup"], ["invalid choice", "backup"]),
    ],
)
def test_server_bad_input_is_one_line_exit_2(tmp_path: Path, args: list[str], needles: list[str]) -> None:
    one_line_error(farm("server", *args, "--data-dir", str(tmp_path / "data"), cwd=tmp_path), *needles)
    assert not (tmp_path / "data").exists()  # refused before any database was created
