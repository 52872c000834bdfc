"""Walking-skeleton registry: cooperatives, farms, fields, gateways, nodes, ingest dedupe keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cooperative",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("province", sa.String(100), nullable=False),
        sa.Column("commune", sa.String(100), nullable=False),
        sa.Column("old_district", sa.String(100), nullable=True),
    )
    op.create_table(
        "farm",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cooperative_id", sa.Integer(), sa.ForeignKey("cooperative.id"), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner_name", sa.String(200), nullable=False),
        sa.Column("commune", sa.String(100), nullable=False),
    )
    op.create_table(
        "field",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("farm_id", sa.Integer(), sa.ForeignKey("farm.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("crop", sa.String(50), nullable=False),
        sa.Column("geometry_json", sa.Text(), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
    )
    op.create_table(
        "gateway",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("farm_id", sa.Integer(), sa.ForeignKey("farm.id"), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "node",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("field_id", sa.Integer(), sa.ForeignKey("field.id"), nullable=True),
        sa.Column("gateway_id", sa.Integer(), sa.ForeignKey("gateway.id"), nullable=True),
        sa.Column("key_hex", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("probe_depth_cm", sa.Integer(), nullable=True),
        sa.Column("sensors", sa.JSON(), nullable=False),
        sa.Column("config_version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "ingested_frame",
        sa.Column("node_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("counter", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("gateway_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    for table in ("ingested_frame", "node", "gateway", "field", "farm", "cooperative"):
        op.drop_table(table)
