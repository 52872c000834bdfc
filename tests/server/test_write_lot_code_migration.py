"""Migration 0009 widens lot codes for 13-character serials (issue 16, F10): a 65-character code
is stored, codes issued before keep their rows, and downgrade refuses to cut a longer code.
On SQLite and PostgreSQL, with real rows."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, text

from demo.seed import seed
from server.advisory.lots import issue_lot_code, make_lot_code
from server.db import Database

INSERT = text(
    "INSERT INTO app_lot (code, idempotency_key, field_id, crop, market, harvest_date, quantity_kg,"
    " created_by, created_at) VALUES (:code, :key, 1, 'rice', 'VN', '2026-03-15', 10, '1', 0)"
)
LONGEST_PUC = "VN-PTO-" + "9" * 33  # 40 characters: the growing-area code column's width


def _width(db: Database) -> int:
    code = next(c for c in inspect(db.engine).get_columns("app_lot") if c["name"] == "code")
    return int(getattr(code["type"], "length", 0))


def test_codes_widened_up_and_down(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade("0008")
    seed(db)
    old = str(make_lot_code("RS", date(2026, 3, 15), "7K3M9Q2XWD"))  # issued before 0009
    with db.engine.begin() as conn:
        conn.execute(INSERT, {"code": old, "key": "old-lot-0001"})
    db.upgrade("0009")  # this migration's own step (later ones have their own tests)
    assert _width(db) == 80
    longest = str(issue_lot_code(LONGEST_PUC, date(2026, 3, 15)))
    assert len(longest) == 65
    with db.engine.begin() as conn:
        conn.execute(INSERT, {"code": longest, "key": "new-lot-0001"})
        codes = set(conn.execute(text("SELECT code FROM app_lot")).scalars())
    assert codes == {old, longest}
    with pytest.raises(RuntimeError, match="longer than 64"):
        db.downgrade("0008")
    assert _width(db) == 80  # refused before anything changed
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM app_lot WHERE code = :c"), {"c": longest})
    db.downgrade("0008")
    assert _width(db) == 64
    with db.engine.connect() as conn:
        assert list(conn.execute(text("SELECT code FROM app_lot")).scalars()) == [old]
    db.engine.dispose()
