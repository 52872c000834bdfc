"""Firmware update bundles and staged rollouts (issue 20).

``tech_fw_bundle`` keeps each uploaded bundle whole (manifest + payload, ``firmware.lib.fwbundle``)
with its manifest's fields copied out for listing; ``tech_fw_rollout`` is one staged rollout: its
pilot nodes, all its nodes, its state and why it stopped. New tables only: downgrade drops them
(the nodes keep running whatever they installed; only the server forgets the rollouts).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tech_fw_bundle",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False, unique=True),
        sa.Column("board", sa.String(length=16), nullable=False),
        sa.Column("min_batt_v", sa.Float(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "tech_fw_rollout",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bundle_id", sa.Integer(), sa.ForeignKey("tech_fw_bundle.id"), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("pilot", sa.JSON(), nullable=False),
        sa.Column("nodes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_tech_fw_rollout_bundle_id", "tech_fw_rollout", ["bundle_id"])


def downgrade() -> None:
    op.drop_index("ix_tech_fw_rollout_bundle_id", table_name="tech_fw_rollout")
    op.drop_table("tech_fw_rollout")
    op.drop_table("tech_fw_bundle")
