"""The season profile (issue 17): how the field is watered and whether the farmer confirmed it.

The farmer's profile already held the market and the soil texture (``app_field_profile``); the
crop, dates and variety are the registry's planting record. The irrigation plan also needs the
irrigation method (flood, furrow, drip, watering can) and the pump's flow, and the advice needs to
know whether the farmer confirmed the profile (until then it states what it assumed). A soil the
farmer does not know is stored as ``unknown``. Downgrade drops the three columns.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_field_profile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("irrigation_method", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("pump_rate_m3h", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_field_profile", schema=None) as batch_op:
        batch_op.drop_column("confirmed_at")
        batch_op.drop_column("pump_rate_m3h")
        batch_op.drop_column("irrigation_method")
