"""Officer tables: area alerts sent to farmers, and the review desk's decisions (training data).

Diagnoses themselves belong to the farmer app (``app_diagnosis``); a review writes its answer there
(so the farmer sees it) and keeps one ``officer_review`` row per move of the review state machine
here (``server.farm.review``: the officers' decisions and the farmer's disputes and new photos).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class AreaAlert(Base):
    """An officer's warning to the farmers of the fields inside an area (e.g. an outbreak)."""

    __tablename__ = "officer_alert"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # disease key or label, "irrigation", "other"
    severity: Mapped[str] = mapped_column(String(10), default="warning")  # info | warning | urgent
    # What the farmer reads, as a message key with parameters (mobile_api.officer.alerts_api renders it).
    message_key: Mapped[str] = mapped_column(String(40), default="alert_note")
    message_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    center_lat: Mapped[float] = mapped_column(Float)
    center_lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    created_by: Mapped[int | None] = mapped_column(Integer)  # app_user.id
    created_at: Mapped[int] = mapped_column(BigInteger, index=True)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)


class AlertField(Base):
    """The fields an alert reached: who sees it in the farmer app."""

    __tablename__ = "officer_alert_field"
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("officer_alert.id", ondelete="CASCADE"), primary_key=True
    )
    field_id: Mapped[int] = mapped_column(ForeignKey("field.id"), primary_key=True, index=True)


class ReviewDecision(Base):
    """One review-desk decision on a farmer's photo diagnosis (app_diagnosis.id)."""

    __tablename__ = "officer_review"
    __table_args__ = (UniqueConstraint("officer_id", "idempotency_key", name="uq_officer_review_user_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    diagnosis_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(20))  # an event of server.farm.review (confirm, dispute ...)
    label: Mapped[str | None] = mapped_column(String(100))  # the label that holds after this decision
    model_label: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    officer_id: Mapped[int | None] = mapped_column(Integer)  # who acted (the farmer for their own moves)
    actor_role: Mapped[str] = mapped_column(String(20), default="officer")
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    idempotency_key: Mapped[str | None] = mapped_column(String(64))  # a phone's move; unique per officer_id
    at: Mapped[int] = mapped_column(BigInteger, index=True)


OFFICER_TABLES = [AreaAlert.__table__, AlertField.__table__, ReviewDecision.__table__]
