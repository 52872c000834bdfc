"""Alembic is the schema's source of truth: up and down, empty and populated, SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text

from demo.seed import seed
from server.db import Database, alembic_config


def tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_up_and_down_on_empty_and_populated(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    assert {"farm", "app_user", "audit_log", "planting", "growing_area", "admin_area"} <= tables(db)
    db.downgrade("base")
    assert tables(db) == set()
    db.upgrade("0001")  # the walking skeleton's schema, then real data in it
    seed_result = None
    db.upgrade("0002")
    seed_result = seed(db)
    assert seed_result.nodes
    for revision in ("0001", "0002", "0001", "base"):  # down through populated tables, and up again
        (db.downgrade if revision != "0002" else db.upgrade)(revision)
    db.upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 0
    db.engine.dispose()


def test_models_match_the_migrations(database_url: str) -> None:
    """Autogenerate finds nothing to do: no table or column exists only in the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from server.schema import REGISTRY_TABLES, metadata

    db = Database(database_url)
    db.upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)

    def ours(d: tuple[object, ...]) -> bool:
        table = d[1].name if d[0] == "add_table" else d[2]  # type: ignore[attr-defined]
        return table in REGISTRY_TABLES

    missing = [d for d in diff if d[0] in ("add_table", "add_column", "remove_column") and ours(d)]
    assert missing == []
    assert {"farm", "app_user", "audit_log"} <= REGISTRY_TABLES
    assert alembic_config(db.engine).get_main_option("script_location")
    db.engine.dispose()
