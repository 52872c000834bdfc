"""Officers' area alerts and review decisions; technicians' probe calibrations and node configs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "officer_alert",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("message_vi", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("center_lat", sa.Float(), nullable=False),
        sa.Column("center_lon", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False, index=True),
        sa.Column("expires_at", sa.BigInteger(), nullable=False, index=True),
    )
    op.create_table(
        "officer_alert_field",
        sa.Column(
            "alert_id", sa.Integer(), sa.ForeignKey("officer_alert.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("field_id", sa.Integer(), sa.ForeignKey("field.id"), primary_key=True, index=True),
    )
    op.create_table(
        "officer_review",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("diagnosis_id", sa.Integer(), nullable=False, index=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("label", sa.String(100), nullable=True),
        sa.Column("model_label", sa.String(100), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.BigInteger(), nullable=False, index=True),
    )
    for name in ("tech_calibration", "tech_node_config"):
        extra = (
            [
                sa.Column("sensor", sa.String(20), nullable=False),
                sa.Column("model", sa.String(20), nullable=False),
                sa.Column("coefficients", sa.JSON(), nullable=False),
                sa.Column("points", sa.JSON(), nullable=False),
                sa.Column("note", sa.Text(), nullable=False),
            ]
            if name == "tech_calibration"
            else [
                sa.Column("body", sa.JSON(), nullable=False),
                sa.Column("blob", sa.Text(), nullable=True),
                sa.Column("applied_at", sa.BigInteger(), nullable=True),
            ]
        )
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("node_id", sa.BigInteger(), sa.ForeignKey("node.id"), nullable=False, index=True),
            sa.Column("version", sa.Integer(), nullable=False),
            *extra,
            sa.Column("created_by", sa.Integer(), nullable=True),
            sa.Column("created_at", sa.BigInteger(), nullable=False),
            sa.UniqueConstraint("node_id", "version"),
        )


def downgrade() -> None:
    for name in (
        "tech_node_config",
        "tech_calibration",
        "officer_review",
        "officer_alert_field",
        "officer_alert",
    ):
        op.drop_table(name)
