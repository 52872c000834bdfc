"""No per-machine state (issue 19: beyond one machine): the gateways' health and rules documents
move from files under one host's data directory into the registry, so any app host behind the load
balancer serves and receives them. Existing files are imported once, on first read, by
``server.technician.gateway_health`` (a migration cannot know every host's data directory).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gateway_document",
        sa.Column(
            "gateway_id", sa.Integer(), sa.ForeignKey("gateway.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("gateway_document")
