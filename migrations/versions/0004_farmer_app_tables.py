"""Farmer app tables: field profiles, spray/fertiliser diary, photo diagnoses, harvest lots.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 11:10:32.350849
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_diagnosis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("crop", sa.String(length=50), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("abstained", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("message_vi", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("review_status", sa.String(length=20), nullable=False),
        sa.Column("review_label", sa.String(length=100), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["field.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("app_diagnosis", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_diagnosis_field_id"), ["field_id"], unique=False)

    op.create_table(
        "app_diary_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("product_id", sa.String(length=80), nullable=True),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("actives", sa.JSON(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("phi_days", sa.Integer(), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["field.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("app_diary_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_diary_entry_field_id"), ["field_id"], unique=False)

    op.create_table(
        "app_field_profile",
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("market", sa.String(length=8), nullable=False),
        sa.Column("planting_date", sa.Date(), nullable=True),
        sa.Column("soil_texture", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["field.id"],
        ),
        sa.PrimaryKeyConstraint("field_id"),
    )
    op.create_table(
        "app_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("crop", sa.String(length=50), nullable=False),
        sa.Column("market", sa.String(length=8), nullable=False),
        sa.Column("harvest_date", sa.Date(), nullable=False),
        sa.Column("quantity_kg", sa.Float(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["field.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("app_lot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_lot_field_id"), ["field_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("app_lot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_lot_field_id"))

    op.drop_table("app_lot")
    op.drop_table("app_field_profile")
    with op.batch_alter_table("app_diary_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_diary_entry_field_id"))

    op.drop_table("app_diary_entry")
    with op.batch_alter_table("app_diagnosis", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_diagnosis_field_id"))

    op.drop_table("app_diagnosis")
