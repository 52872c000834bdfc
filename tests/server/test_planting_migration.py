"""Migration 0007 moves the farmer app's planting dates into the registry's planting records and drops
the app's column; downgrade puts the dates back. On SQLite and PostgreSQL, with real rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import inspect, text

from demo.seed import seed
from server.db import Database


def _columns(db: Database, table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def test_app_planting_dates_become_plantings(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    seed(db)
    db.downgrade("0006")
    assert "planting_date" in _columns(db, "app_field_profile")
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM planting"))
        conn.execute(
            text("INSERT INTO planting (field_id, crop, sown_on) VALUES (2, 'maize', :d)"),
            {"d": date(2026, 6, 1)},
        )
        for field_id, day in ((1, date(2026, 7, 10)), (2, date(2026, 6, 1)), (3, None)):
            conn.execute(
                text("INSERT INTO app_field_profile (field_id, market, planting_date) VALUES (:f, 'VN', :d)"),
                {"f": field_id, "d": day},
            )
        crop_1 = conn.execute(text("SELECT crop FROM field WHERE id = 1")).scalar()
    db.upgrade("0007")
    assert "planting_date" not in _columns(db, "app_field_profile")
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT field_id, crop, sown_on FROM planting ORDER BY field_id, id")).all()
    as_dates = [(f, c, d if isinstance(d, date) else date.fromisoformat(d)) for f, c, d in rows]
    # field 1: moved; field 2: already recorded that day, not doubled; field 3: no date, nothing to move
    assert as_dates == [(1, crop_1, date(2026, 7, 10)), (2, "maize", date(2026, 6, 1))]
    db.downgrade("0006")
    with db.engine.connect() as conn:
        back: dict[int, Any] = dict(
            conn.execute(text("SELECT field_id, planting_date FROM app_field_profile")).all()
        )
    assert {
        k: (v if v is None or isinstance(v, date) else date.fromisoformat(v)) for k, v in back.items()
    } == {
        1: date(2026, 7, 10),
        2: date(2026, 6, 1),
        3: None,
    }
    db.upgrade()
    db.engine.dispose()
