"""Technician node config and calibration (issue 18): no schema change.

The form's current config, the acknowledged version and the raw probe value are read from what is
already stored: ``tech_node_config`` (bodies and ``applied_at``, revision 0003) and the time series
(channels ``config_version`` and ``soil_raw``). The revision stays in the chain so that the
numbering of later revisions holds.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
