"""The pesticide catalogue's legal acts: a record of lots re-judged when a new list takes effect (issue 17).

The Vietnamese list of permitted and banned pesticides changes by circular (09/2023/TT-BNNPTNT,
25/2024/TT-BNNPTNT, 75/2025/TT-BNNMT in force 10/02/2026). Verdicts stay computed when read;
``app_lot_law_check`` records that open lots were re-judged under the act now in force, with the
verdict before and after, so a lot that a change of law refuses is visible to whoever made it.
A new table only: downgrade drops it (the records are lost; verdicts are unaffected).

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_lot_law_check",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lot_id", sa.Integer(), sa.ForeignKey("app_lot.id", ondelete="CASCADE"), nullable=False),
        sa.Column("act", sa.String(length=40), nullable=False),
        sa.Column("catalogue_version", sa.String(length=20), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("was_allowed", sa.Boolean(), nullable=True),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("checked_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_app_lot_law_check_lot_id", "app_lot_law_check", ["lot_id"])


def downgrade() -> None:
    op.drop_index("ix_app_lot_law_check_lot_id", table_name="app_lot_law_check")
    op.drop_table("app_lot_law_check")
