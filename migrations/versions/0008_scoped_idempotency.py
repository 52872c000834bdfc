"""Idempotency keys are unique per user, not across the whole database.

A key was unique in each table on its own, and handlers found a retried request by the key alone,
so a farmer who sent another farmer's key got the other farmer's row back and their own write was
dropped. Each table's one-column unique constraint becomes a unique (user, key) pair:
``created_by`` for diary entries, diagnoses and lots, ``officer_id`` for review moves.

Downgrade restores the one-column constraints; it fails, changing nothing, when two users have
since sent the same key (there is no way back to a global key without dropping one of the rows).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = {  # table -> the column that says who sent the key
    "app_diary_entry": "created_by",
    "app_diagnosis": "created_by",
    "app_lot": "created_by",
    "officer_review": "officer_id",
}
# SQLite reflects the unnamed constraints of 0004 without a name; batch mode names them by this.
CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _key_constraint(table: str) -> str:
    """The name of ``table``'s one-column unique constraint on idempotency_key, as the database
    knows it (PostgreSQL named the unnamed ones ``<table>_idempotency_key_key``)."""
    for uq in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if uq["column_names"] == ["idempotency_key"]:
            return uq["name"] or f"uq_{table}_idempotency_key"
    raise RuntimeError(f"{table} has no unique idempotency_key constraint")


def upgrade() -> None:
    for table, user in TABLES.items():
        name = _key_constraint(table)
        with op.batch_alter_table(table, naming_convention=CONVENTION) as batch_op:
            batch_op.drop_constraint(name, type_="unique")
            batch_op.create_unique_constraint(f"uq_{table}_user_key", [user, "idempotency_key"])


def downgrade() -> None:
    conn = op.get_bind()
    for table in TABLES:  # checked first: a batch rebuild failing halfway leaves a temporary table
        shared = conn.execute(
            sa.text(
                f"SELECT idempotency_key FROM {table} WHERE idempotency_key IS NOT NULL"
                " GROUP BY idempotency_key HAVING count(*) > 1"
            )
        ).first()
        if shared is not None:
            raise RuntimeError(f"{table}: key {shared[0]!r} is used by several users; cannot downgrade")
    for table in TABLES:
        with op.batch_alter_table(table, naming_convention=CONVENTION) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_user_key", type_="unique")
            batch_op.create_unique_constraint(f"uq_{table}_idempotency_key", ["idempotency_key"])
