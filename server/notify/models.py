"""Notification tables: the outbox of deliveries, the in-app inbox, preferences, push subscriptions.

One delivery row per (alert, person, channel) is what makes sending idempotent: a second send of
the same alert to the same person on the same channel hits the unique constraint instead of
producing a second SMS (migrations/versions/0011).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from common.language import DEFAULT as DEFAULT_LANG
from server.db import Base


class Delivery(Base):
    """One message to one person on one channel, with its delivery state (``server.notify.outbox``)."""

    __tablename__ = "notify_delivery"
    __table_args__ = (UniqueConstraint("alert_id", "user_id", "channel", name="uq_notify_delivery_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("officer_alert.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # inbox | push | sms | zalo
    state: Mapped[str] = mapped_column(String(10), index=True)  # queued|sent|failed|dead|cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[int] = mapped_column(BigInteger, index=True)  # when the worker may try (quiet hours)
    last_error: Mapped[str] = mapped_column(Text, default="")
    provider_id: Mapped[str] = mapped_column(String(100), default="")  # the provider's message id
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class InboxItem(Base):
    """An alert in a person's in-app inbox: read when they opened it, withdrawn by the officer."""

    __tablename__ = "notify_inbox"
    __table_args__ = (UniqueConstraint("alert_id", "user_id", name="uq_notify_inbox_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("officer_alert.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    field_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)  # which of their fields it names
    created_at: Mapped[int] = mapped_column(BigInteger)
    read_at: Mapped[int | None] = mapped_column(BigInteger)
    withdrawn_at: Mapped[int | None] = mapped_column(BigInteger)


class Preference(Base):
    """How a person wants to be reached beyond the inbox (``server.notify.prefs`` holds the defaults)."""

    __tablename__ = "notify_preference"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    channels: Mapped[list[Any]] = mapped_column(JSON, default=list)  # of push, sms, zalo
    phone: Mapped[str] = mapped_column(String(16), default="")  # E.164; empty: the sign-in number
    lang: Mapped[str] = mapped_column(String(5), default=DEFAULT_LANG)  # language of SMS, Zalo and push text
    quiet_start_min: Mapped[int] = mapped_column(Integer)  # minutes after local midnight (farm time)
    quiet_end_min: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class PushSubscription(Base):
    """A browser's Web Push subscription (RFC 8030 endpoint and the RFC 8291 keys) for one person."""

    __tablename__ = "notify_push_subscription"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))  # base64url uncompressed P-256 point (65 bytes)
    auth: Mapped[str] = mapped_column(String(50))  # base64url 16-byte authentication secret
    created_at: Mapped[int] = mapped_column(BigInteger)


class Withdrawal(Base):
    """An officer took an alert back: who and when (its inbox items say "withdrawn", waiting
    deliveries are cancelled and the alert stops showing on the farmers' home screens)."""

    __tablename__ = "notify_withdrawal"
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("officer_alert.id", ondelete="CASCADE"), primary_key=True
    )
    by: Mapped[int | None] = mapped_column(Integer)  # app_user.id
    at: Mapped[int] = mapped_column(BigInteger)


NOTIFY_TABLES = [
    Delivery.__table__, InboxItem.__table__, Preference.__table__, PushSubscription.__table__,
    Withdrawal.__table__,
]  # fmt: skip
