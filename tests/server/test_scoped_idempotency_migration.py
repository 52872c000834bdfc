"""Migration 0008 makes idempotency keys unique per user (issue 16, F2): two users may send the same
key, one user may not store it twice; downgrade restores the one-column constraints. On SQLite and
PostgreSQL, with real rows."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from demo.seed import seed
from server.db import Database

TABLES = {"app_diary_entry": "created_by", "app_diagnosis": "created_by", "app_lot": "created_by",
          "officer_review": "officer_id"}  # fmt: skip
INSERT = text(
    "INSERT INTO app_diary_entry (idempotency_key, field_id, kind, product_name, actives, applied_on,"
    " note, warnings, created_by, created_at, updated_at, version)"
    " VALUES ('same-key-0001', 1, 'other', 'x', '[]', '2026-01-01', '', '[]', :by, 0, 0, 1)"
)


def _key_constraints(db: Database, table: str) -> list[list[str]]:
    found = inspect(db.engine).get_unique_constraints(table)
    return [uq["column_names"] for uq in found if "idempotency_key" in uq["column_names"]]


def test_keys_unique_per_user_up_and_down(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    seed(db)
    for table, user in TABLES.items():
        assert _key_constraints(db, table) == [[user, "idempotency_key"]]
    with db.engine.begin() as conn:  # two farmers, one key: both rows are kept
        conn.execute(INSERT, {"by": "1"})
        conn.execute(INSERT, {"by": "2"})
    with pytest.raises(IntegrityError), db.engine.begin() as conn:  # one farmer, one key: once
        conn.execute(INSERT, {"by": "1"})
    db.downgrade("0008")  # later migrations first: what follows is 0008's own refusal
    with pytest.raises(RuntimeError, match="several users"):  # a global key cannot hold both rows
        db.downgrade("0007")
    for table, user in TABLES.items():  # refused before anything changed
        assert _key_constraints(db, table) == [[user, "idempotency_key"]]
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM app_diary_entry WHERE created_by = '2'"))
    db.downgrade("0007")
    for table in TABLES:
        assert _key_constraints(db, table) == [["idempotency_key"]]
    db.upgrade()
    for table, user in TABLES.items():
        assert _key_constraints(db, table) == [[user, "idempotency_key"]]
    db.engine.dispose()
