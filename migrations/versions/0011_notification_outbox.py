"""Notification outbox, in-app inbox, per-person preferences and Web Push subscriptions (issue 18).

``notify_delivery`` holds one row per (alert, person, channel) with its delivery state, attempts and
the time the worker may next try; ``notify_inbox`` is the farmer app's inbox (read, withdrawn);
``notify_preference`` the channels, phone, language and quiet hours a person chose;
``notify_push_subscription`` a browser's push endpoint and keys; ``notify_withdrawal`` who took
an alert back and when. New tables only: downgrade drops
them (deliveries not yet sent are lost with them, which is what removing the feature means).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notify_delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "alert_id", sa.Integer(), sa.ForeignKey("officer_alert.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("provider_id", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("alert_id", "user_id", "channel", name="uq_notify_delivery_once"),
    )
    for col in ("alert_id", "user_id", "state", "next_at"):
        op.create_index(f"ix_notify_delivery_{col}", "notify_delivery", [col])
    op.create_table(
        "notify_inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "alert_id", sa.Integer(), sa.ForeignKey("officer_alert.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("field_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("read_at", sa.BigInteger(), nullable=True),
        sa.Column("withdrawn_at", sa.BigInteger(), nullable=True),
        sa.UniqueConstraint("alert_id", "user_id", name="uq_notify_inbox_once"),
    )
    for col in ("alert_id", "user_id"):
        op.create_index(f"ix_notify_inbox_{col}", "notify_inbox", [col])
    op.create_table(
        "notify_preference",
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("quiet_start_min", sa.Integer(), nullable=False),
        sa.Column("quiet_end_min", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "notify_push_subscription",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("endpoint", sa.String(length=1000), nullable=False, unique=True),
        sa.Column("p256dh", sa.String(length=200), nullable=False),
        sa.Column("auth", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_notify_push_subscription_user_id", "notify_push_subscription", ["user_id"])
    op.create_table(
        "notify_withdrawal",
        sa.Column(
            "alert_id", sa.Integer(), sa.ForeignKey("officer_alert.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("by", sa.Integer(), nullable=True),
        sa.Column("at", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("notify_withdrawal")
    op.drop_table("notify_push_subscription")
    op.drop_table("notify_preference")
    op.drop_table("notify_inbox")
    op.drop_table("notify_delivery")
