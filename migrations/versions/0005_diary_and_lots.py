"""Diary voids and entry kinds; lot codes widened for the check-character scheme.

Diary entries are never deleted: a mistaken one is voided with who, when and why (the history
shows it struck through). Lot codes follow ``server.advisory.lots`` (growing-area code, date,
random serial and check character), which needs up to 64 characters; codes already issued in the
former ``RS<yymmdd>-<hex6>`` form stay as they are, so printed labels keep working. Whether a lot
complies is judged when read (``server.farm.compliance.judge_lot``), so no verdict is stored.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_diary_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voided_at", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("voided_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("app_lot", schema=None) as batch_op:
        batch_op.alter_column(
            "code", existing_type=sa.String(length=32), type_=sa.String(length=64), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("app_lot", schema=None) as batch_op:
        batch_op.alter_column(
            "code", existing_type=sa.String(length=64), type_=sa.String(length=32), existing_nullable=False
        )
    with op.batch_alter_table("app_diary_entry", schema=None) as batch_op:
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_by")
        batch_op.drop_column("voided_at")
