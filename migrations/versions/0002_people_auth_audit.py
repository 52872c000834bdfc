"""People, roles, sessions, tokens, audit log, administrative areas, growing-area codes, plantings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 10:03:35.457850
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("old_district", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["admin_area.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("admin_area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_area_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("table", sa.String(length=50), nullable=False),
        sa.Column("row_key", sa.String(length=100), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_row_key"), ["row_key"], unique=False)

    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("at", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_key"), ["key"], unique=False)

    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperative.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phone"),
    )
    op.create_table(
        "growing_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("crop", sa.String(length=50), nullable=False),
        sa.Column("market", sa.String(length=50), nullable=True),
        sa.Column("cooperative_id", sa.Integer(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperative.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "auth_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_session_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_auth_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "officer_area",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["admin_area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("user_id", "area_id"),
    )
    op.create_table(
        "planting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("crop", sa.String(length=50), nullable=False),
        sa.Column("variety", sa.String(length=100), nullable=True),
        sa.Column("sown_on", sa.Date(), nullable=True),
        sa.Column("transplanted_on", sa.Date(), nullable=True),
        sa.Column("expected_harvest", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["field.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("planting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planting_field_id"), ["field_id"], unique=False)

    op.create_table(
        "technician_gateway",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("gateway_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["gateway_id"],
            ["gateway.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("user_id", "gateway_id"),
    )
    with op.batch_alter_table("cooperative", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commune_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_cooperative_commune_id", "admin_area", ["commune_id"], ["id"])

    with op.batch_alter_table("farm", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("commune_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("share_with_officers", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("consent_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_farm_commune_id"), ["commune_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_farm_cooperative_id"), ["cooperative_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_farm_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key("fk_farm_commune_id", "admin_area", ["commune_id"], ["id"])
        batch_op.create_foreign_key("fk_farm_owner_id", "app_user", ["owner_id"], ["id"])

    with op.batch_alter_table("field", schema=None) as batch_op:
        batch_op.add_column(sa.Column("growing_area_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_field_farm_id"), ["farm_id"], unique=False)
        batch_op.create_foreign_key("fk_field_growing_area_id", "growing_area", ["growing_area_id"], ["id"])

    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calibration", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.create_index(batch_op.f("ix_node_field_id"), ["field_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_node_gateway_id"), ["gateway_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_node_gateway_id"))
        batch_op.drop_index(batch_op.f("ix_node_field_id"))
        batch_op.drop_column("calibration")

    with op.batch_alter_table("field", schema=None) as batch_op:
        batch_op.drop_constraint("fk_field_growing_area_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_field_farm_id"))
        batch_op.drop_column("growing_area_id")

    with op.batch_alter_table("farm", schema=None) as batch_op:
        batch_op.drop_constraint("fk_farm_owner_id", type_="foreignkey")
        batch_op.drop_constraint("fk_farm_commune_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_farm_owner_id"))
        batch_op.drop_index(batch_op.f("ix_farm_cooperative_id"))
        batch_op.drop_index(batch_op.f("ix_farm_commune_id"))
        batch_op.drop_column("consent_changed_at")
        batch_op.drop_column("share_with_officers")
        batch_op.drop_column("commune_id")
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("cooperative", schema=None) as batch_op:
        batch_op.drop_constraint("fk_cooperative_commune_id", type_="foreignkey")
        batch_op.drop_column("commune_id")

    op.drop_table("technician_gateway")
    with op.batch_alter_table("planting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planting_field_id"))

    op.drop_table("planting")
    op.drop_table("officer_area")
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_auth_session_expires_at"))

    op.drop_table("auth_session")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    op.drop_table("growing_area")
    op.drop_table("app_user")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_key"))
        batch_op.drop_index(batch_op.f("ix_login_failure_at"))

    op.drop_table("login_failure")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_row_key"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_id"))

    op.drop_table("audit_log")
    with op.batch_alter_table("admin_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_area_parent_id"))

    op.drop_table("admin_area")
