"""Migration 0010 adds the season profile's irrigation method, pump flow and confirmation to the
farmer's field profile; a profile stored before keeps its market and soil, and downgrade drops the
new columns only. On SQLite and PostgreSQL, with real rows."""

from __future__ import annotations

from sqlalchemy import inspect, text

from demo.seed import seed
from server.db import Database

NEW = {"irrigation_method", "pump_rate_m3h", "confirmed_at"}


def _columns(db: Database) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("app_field_profile")}


def test_the_season_profile_columns_come_and_go(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    seed(db)
    db.downgrade("0009")
    assert not NEW & _columns(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM app_field_profile"))
        conn.execute(
            text("INSERT INTO app_field_profile (field_id, market, soil_texture) VALUES (3, 'EU', 'loam')")
        )
    db.upgrade("0010")
    assert _columns(db) >= NEW
    with db.engine.begin() as conn:
        row = conn.execute(text("SELECT market, soil_texture, irrigation_method, pump_rate_m3h, confirmed_at "
                                "FROM app_field_profile WHERE field_id = 3")).one()  # fmt: skip
        assert tuple(row) == ("EU", "loam", None, None, None)  # nothing confirmed by the migration
        conn.execute(text("UPDATE app_field_profile SET irrigation_method = 'drip', pump_rate_m3h = 2.5, "
                          "confirmed_at = 1767225600 WHERE field_id = 3"))  # fmt: skip
    db.downgrade("0009")
    assert not NEW & _columns(db)
    with db.engine.connect() as conn:
        kept = conn.execute(
            text("SELECT market, soil_texture FROM app_field_profile WHERE field_id = 3")
        ).one()
    assert tuple(kept) == ("EU", "loam")
    db.upgrade()
    db.engine.dispose()
