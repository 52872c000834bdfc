"""Migration 0016 (the forecast cache) up and down on SQLite and PostgreSQL, and its model matches it."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server.db import Base, Database
from server.weather.models import ForecastCache


def test_forecast_cache_up_down_and_matches_the_model(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    assert "weather_forecast" in inspect(db.engine).get_table_names()
    with db.session() as s:
        s.add(ForecastCache(cell="21.2,105.5", lat=21.2, lon=105.5, fetched_at=1, source="x", body="{}"))
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diff if "weather_forecast" in repr(d)]
    assert ours == []
    db.downgrade("0015")  # down through a populated cache
    assert "weather_forecast" not in inspect(db.engine).get_table_names()
    db.upgrade()
    assert "weather_forecast" in inspect(db.engine).get_table_names()
    db.engine.dispose()
