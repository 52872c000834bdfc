"""Review sampling and corrections (issue 18): no schema change.

The audit sample of confident answers is decided from the diagnosis id
(``server.farm.review.sampled``), so nothing new is stored to choose it; a sampled case that an
officer settles is logged like any other move (``officer_review.from_status`` = ``not_needed``),
which is how the agreement figures tell the sample apart. The new correction outcomes
(``other_crop``, ``not_plant``, ``cant_tell``) fit the existing ``review_label``/``label`` columns
(String(100)). The revision stays so the chain keeps its numbering.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change (see the module docstring)."""


def downgrade() -> None:
    """Nothing to undo."""
