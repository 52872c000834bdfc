"""Lot codes widened for 13-character serials (64+ random bits); write audit rows need no schema.

A lot code is the key to a lot's public page and PDF, so its serial must not be guessable: 10
characters of 0-9/A-Z gave 51.7 bits, 13 give 67.2 (``server.advisory.lots``). With a 40-character
growing-area code the longest code is now 65 characters, one more than the column held, so the
column grows to 80. Codes already printed (10-character serials, the former ``RS<yymmdd>-<hex6>``)
are stored unchanged and keep working.

Accepted writes are audited in the existing ``audit_log`` table (``action = 'write'``,
``table = 'http'``; ``server.auth.writes``), so nothing else changes here.

Downgrade narrows the column back to 64; it fails, changing nothing, when a longer code exists.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD, NEW = 64, 80


def upgrade() -> None:
    with op.batch_alter_table("app_lot", schema=None) as batch_op:
        batch_op.alter_column(
            "code", existing_type=sa.String(length=OLD), type_=sa.String(length=NEW), existing_nullable=False
        )


def downgrade() -> None:
    longer = op.get_bind().execute(sa.text(f"SELECT code FROM app_lot WHERE length(code) > {OLD}")).first()
    if longer is not None:
        raise RuntimeError(f"lot code {longer[0]!r} is longer than {OLD} characters; cannot downgrade")
    with op.batch_alter_table("app_lot", schema=None) as batch_op:
        batch_op.alter_column(
            "code", existing_type=sa.String(length=NEW), type_=sa.String(length=OLD), existing_nullable=False
        )
