"""The review state machine and message keys with parameters.

Photo diagnoses and area alerts stop storing rendered ``message_vi``/``message_en`` text: a
diagnosis keeps its classifier reason as ``message_key`` with ``{"crop", "label"}`` parameters,
an officer's alert keeps ``alert_note`` with the officer's own words as ``{"vi", "en"}``. The
review state ``more_photos`` becomes ``more_photos_requested`` (the column widens to 30
characters), and ``officer_review`` becomes the state machine's event log (who moved it, from
which state to which, and the farmer's idempotency key for moves sent from the phone's outbox).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CLASSIFIER_CROP = {"maize": "corn", "sweet_corn": "corn"}  # as in data/diseases.json at this revision


def _diagnosis_params(crop: str, label: str | None) -> dict[str, str]:
    params: dict[str, str] = {"crop": CLASSIFIER_CROP.get(crop, crop)}
    if label:
        params["label"] = label
    return params


def _set_params(table: str, extra: str = "") -> sa.TextClause:
    """An UPDATE binding ``params`` as JSON (a dict), the same on SQLite and PostgreSQL."""
    sql = f"UPDATE {table} SET message_params = :params{extra} WHERE id = :id"
    return sa.text(sql).bindparams(sa.bindparam("params", type_=sa.JSON()))


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("app_diagnosis", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_key", sa.String(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("message_params", sa.JSON(), nullable=True))
        batch_op.alter_column(
            "review_status", existing_type=sa.String(length=20), type_=sa.String(length=30), nullable=False
        )
    rows = conn.execute(sa.text("SELECT id, reason, crop, label FROM app_diagnosis")).all()
    for row in rows:
        conn.execute(
            _set_params("app_diagnosis", ", message_key = :key"),
            {"key": row.reason, "params": _diagnosis_params(row.crop, row.label), "id": row.id},
        )
    conn.execute(
        sa.text(
            "UPDATE app_diagnosis SET review_status = 'more_photos_requested' "
            "WHERE review_status = 'more_photos'"
        )
    )
    with op.batch_alter_table("app_diagnosis", schema=None) as batch_op:
        batch_op.alter_column("message_params", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("message_vi")
        batch_op.drop_column("message_en")

    with op.batch_alter_table("officer_alert", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("message_key", sa.String(length=40), nullable=False, server_default="alert_note")
        )
        batch_op.add_column(sa.Column("message_params", sa.JSON(), nullable=True))
    for row in conn.execute(sa.text("SELECT id, message_vi, message_en FROM officer_alert")).all():
        params = {"vi": row.message_vi, "en": row.message_en or ""}
        conn.execute(_set_params("officer_alert"), {"params": params, "id": row.id})
    with op.batch_alter_table("officer_alert", schema=None) as batch_op:
        batch_op.alter_column("message_params", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("message_vi")
        batch_op.drop_column("message_en")

    with op.batch_alter_table("officer_review", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("actor_role", sa.String(length=20), nullable=False, server_default="officer")
        )
        batch_op.add_column(sa.Column("from_status", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("to_status", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_officer_review_idempotency_key", ["idempotency_key"])
    conn.execute(
        sa.text(
            "UPDATE officer_review SET to_status = CASE action WHEN 'confirm' THEN 'confirmed' "
            "WHEN 'correct' THEN 'corrected' WHEN 'more_photos' THEN 'more_photos_requested' END"
        )
    )


def downgrade() -> None:
    """Back to rendered text: alerts get the officer's words back; a diagnosis gets its reason code
    as text (the wording lived in code, not in the table)."""
    conn = op.get_bind()
    with op.batch_alter_table("officer_review", schema=None) as batch_op:
        batch_op.drop_constraint("uq_officer_review_idempotency_key", type_="unique")
        for name in ("idempotency_key", "to_status", "from_status", "actor_role"):
            batch_op.drop_column(name)

    with op.batch_alter_table("officer_alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_vi", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("message_en", sa.Text(), nullable=False, server_default=""))
    for row in conn.execute(sa.text("SELECT id, message_params FROM officer_alert")).all():
        raw = row.message_params
        params = json.loads(raw) if isinstance(raw, str) else (raw or {})
        conn.execute(
            sa.text("UPDATE officer_alert SET message_vi = :vi, message_en = :en WHERE id = :id"),
            {"vi": str(params.get("vi", "")), "en": str(params.get("en", "")), "id": row.id},
        )
    with op.batch_alter_table("officer_alert", schema=None) as batch_op:
        batch_op.drop_column("message_key")
        batch_op.drop_column("message_params")

    with op.batch_alter_table("app_diagnosis", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_vi", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("message_en", sa.Text(), nullable=False, server_default=""))
    conn.execute(sa.text("UPDATE app_diagnosis SET message_vi = message_key, message_en = message_key"))
    conn.execute(
        sa.text(
            "UPDATE app_diagnosis SET review_status = 'more_photos' "
            "WHERE review_status = 'more_photos_requested'"
        )
    )
    with op.batch_alter_table("app_diagnosis", schema=None) as batch_op:
        batch_op.drop_column("message_key")
        batch_op.drop_column("message_params")
        batch_op.alter_column(
            "review_status", existing_type=sa.String(length=30), type_=sa.String(length=20), nullable=False
        )
