"""Alembic environment: the app passes its engine; the CLI builds one from RUONGSO_DATABASE_URL.

On PostgreSQL an advisory lock makes concurrent starters (several workers) migrate one at a time.
SQLite needs batch mode to alter tables.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import text

from server.db import make_engine
from server.schema import metadata

config = context.config
engine = config.attributes.get("engine") or make_engine(
    os.environ.get("RUONGSO_DATABASE_URL", "sqlite:///var/registry.sqlite")
)

with engine.connect() as connection:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_lock(424242)"))
        connection.commit()
    if connection.dialect.name == "sqlite":  # batch mode copies tables: referencing rows must not block it
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    finally:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_unlock(424242)"))
            connection.commit()
