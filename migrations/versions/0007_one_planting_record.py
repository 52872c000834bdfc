"""The planting record moves to the registry's Planting.

The farmer app kept its own planting date (``app_field_profile.planting_date``) beside the
registry's audited ``planting`` table, and the advice read only the app's copy. Each app planting
date becomes a planting of the field's crop (sown on that date) unless the field already has a
planting starting that day; then the column goes. Downgrade copies the start of each field's
latest planting back.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_field = sa.table("field", sa.column("id", sa.Integer), sa.column("crop", sa.String))
_profile = sa.table(
    "app_field_profile", sa.column("field_id", sa.Integer), sa.column("planting_date", sa.Date)
)
_planting = sa.table(
    "planting",
    sa.column("id", sa.Integer),
    sa.column("field_id", sa.Integer),
    sa.column("crop", sa.String),
    sa.column("sown_on", sa.Date),
    sa.column("transplanted_on", sa.Date),
)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_profile.c.field_id, _profile.c.planting_date, _field.c.crop)
        .join(_field, _field.c.id == _profile.c.field_id)
        .where(_profile.c.planting_date.is_not(None))
        .order_by(_profile.c.field_id)
    ).all()
    for field_id, day, crop in rows:
        same = conn.execute(
            sa.select(sa.func.count())
            .select_from(_planting)
            .where(
                _planting.c.field_id == field_id,
                sa.or_(_planting.c.sown_on == day, _planting.c.transplanted_on == day),
            )
        ).scalar()
        if not same:
            conn.execute(sa.insert(_planting).values(field_id=field_id, crop=crop, sown_on=day))
    with op.batch_alter_table("app_field_profile", schema=None) as batch_op:
        batch_op.drop_column("planting_date")


def downgrade() -> None:
    with op.batch_alter_table("app_field_profile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planting_date", sa.Date(), nullable=True))
    conn = op.get_bind()
    latest: dict[int, object] = {}
    for field_id, sown, transplanted in conn.execute(
        sa.select(_planting.c.field_id, _planting.c.sown_on, _planting.c.transplanted_on).order_by(
            _planting.c.id
        )
    ):
        start = transplanted or sown
        if start is not None:
            latest[field_id] = start
    for field_id, day in latest.items():
        conn.execute(sa.update(_profile).where(_profile.c.field_id == field_id).values(planting_date=day))
