"""People, their assignments, and the server-side state of authentication.

Sessions, login failures and API tokens live in the database, not in process memory, so any
gunicorn worker can serve any request. Secrets are stored only as hashes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.audit import Audited
from server.db import Base


class User(Audited, Base):
    __tablename__ = "app_user"
    __audit_exclude__ = frozenset({"password_hash"})
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), unique=True)  # E.164, e.g. +84912000001
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # server.auth.roles.Role
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperative.id"))  # managers


class OfficerArea(Audited, Base):
    """A commune (or ward) an extension officer is responsible for."""

    __tablename__ = "officer_area"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("admin_area.id"), primary_key=True)


class TechnicianGateway(Audited, Base):
    """A gateway (and so its nodes) a technician maintains."""

    __tablename__ = "technician_gateway"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    gateway_id: Mapped[int] = mapped_column(ForeignKey("gateway.id"), primary_key=True)


class AuthSession(Base):
    __tablename__ = "auth_session"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie value
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int] = mapped_column(Integer, index=True)


class LoginFailure(Base):
    """One login attempt (failed, or still being checked) counted per key ('phone:+84…' or 'ip:…')
    inside a sliding window; the row is written before the password is checked (server.auth.ratelimit)."""

    __tablename__ = "login_failure"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    at: Mapped[int] = mapped_column(Integer, index=True)


class ApiToken(Base):
    """A bearer token for scripts and API clients, acting as its user within its scopes."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)  # "read", "write"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
