"""Tables of the farmer app: field profile, diary entries, photo diagnoses and harvest lots.

Every row a phone can create carries the client's idempotency key, unique per user who sent it
(``created_by``), so a retried upload from the offline queue returns the row already stored
instead of making a second one, and nobody can replay someone else's key to read their row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.audit import Audited
from server.db import Base


class FieldProfile(Audited, Base):
    """What the registry does not know yet: target market, soil texture (``unknown`` when the farmer
    does not know it), irrigation method and pump flow, and when the farmer confirmed them. (The
    crop, dates and variety are the registry's ``Planting``, server/registry/plantings.py: one
    season record; ``server/farm/season_profile.py`` reads and writes both as one profile.)"""

    __tablename__ = "app_field_profile"
    field_id: Mapped[int] = mapped_column(ForeignKey("field.id"), primary_key=True)
    market: Mapped[str] = mapped_column(String(8), default="VN")
    soil_texture: Mapped[str | None] = mapped_column(String(40))
    irrigation_method: Mapped[str | None] = mapped_column(String(16))  # irrigation_plan.Method
    pump_rate_m3h: Mapped[float | None] = mapped_column(Float)
    confirmed_at: Mapped[int | None] = mapped_column(BigInteger)  # unix s; None: advice states assumptions


class DiaryEntry(Audited, Base):
    """A spray, fertiliser or other field operation, versioned for conflict detection.

    Never deleted: a mistaken entry is voided (who, when, why), stays in the history struck
    through and no longer counts for the harvest lock; every change is in ``audit_log``."""

    __tablename__ = "app_diary_entry"
    __table_args__ = (UniqueConstraint("created_by", "idempotency_key", name="uq_app_diary_entry_user_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))  # unique per created_by
    field_id: Mapped[int] = mapped_column(ForeignKey("field.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # spray | fertiliser | other
    product_id: Mapped[str | None] = mapped_column(String(80))
    product_name: Mapped[str] = mapped_column(String(200))
    actives: Mapped[list[str]] = mapped_column(JSON, default=list)
    amount: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(20))
    phi_days: Mapped[int | None] = mapped_column(Integer)  # pre-harvest interval from the label
    applied_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)
    voided_at: Mapped[int | None] = mapped_column(BigInteger)
    voided_by: Mapped[str | None] = mapped_column(String(64))
    void_reason: Mapped[str | None] = mapped_column(Text)


class Diagnosis(Audited, Base):
    """One plant's photo diagnosis; the officer's review is set later. Audited like the registry
    (issue 16: who wrote what, before and after). Left out of the log: the classifier's full output
    (derived from the photos, which are named by hash) and the shared position, so withdrawing the
    sharing leaves no copy of where the plant was."""

    __audit_exclude__ = frozenset({"result", "lat", "lon"})

    __tablename__ = "app_diagnosis"
    __table_args__ = (UniqueConstraint("created_by", "idempotency_key", name="uq_app_diagnosis_user_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))  # unique per created_by
    field_id: Mapped[int] = mapped_column(ForeignKey("field.id"), index=True)
    crop: Mapped[str] = mapped_column(String(50))
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)  # sha256 of the stored, EXIF-free files
    label: Mapped[str | None] = mapped_column(String(100))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    abstained: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str] = mapped_column(String(40))
    # The answer's wording as a key with parameters (server.farm.diagnosis.message renders it).
    message_key: Mapped[str] = mapped_column(String(40), default="")
    message_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    lat: Mapped[float | None] = mapped_column(Float)  # only when the farmer allowed sharing the position
    lon: Mapped[float | None] = mapped_column(Float)
    review_status: Mapped[str] = mapped_column(
        String(30), default="pending"
    )  # a state of server.farm.review.STATES
    review_label: Mapped[str | None] = mapped_column(String(100))
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)


class Lot(Audited, Base):
    """A harvest lot; ``code`` is public (QR code, traceability page), nothing else is."""

    __tablename__ = "app_lot"
    __table_args__ = (UniqueConstraint("created_by", "idempotency_key", name="uq_app_lot_user_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)  # server.advisory.lots scheme (0009)
    idempotency_key: Mapped[str] = mapped_column(String(64))  # unique per created_by
    field_id: Mapped[int] = mapped_column(ForeignKey("field.id"), index=True)
    crop: Mapped[str] = mapped_column(String(50))
    market: Mapped[str] = mapped_column(String(8))
    harvest_date: Mapped[date] = mapped_column(Date)
    quantity_kg: Mapped[float | None] = mapped_column(Float)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)


class LotLawCheck(Base):
    """One lot re-judged when a new Vietnamese pesticide list came into force (or the catalogue
    changed): which act and catalogue version, the verdict then and the one recorded before it.
    Written by ``server.farm.locks.recheck_open_lots``; the verdict itself is still computed when
    read (``locks.lot_verdict``), this is the record that the change of law was looked at."""

    __tablename__ = "app_lot_law_check"
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("app_lot.id", ondelete="CASCADE"), index=True)
    act: Mapped[str] = mapped_column(String(40))
    catalogue_version: Mapped[str] = mapped_column(String(20))
    allowed: Mapped[bool] = mapped_column(Boolean)
    was_allowed: Mapped[bool | None] = mapped_column(Boolean)  # None: first check of this lot
    codes: Mapped[list[str]] = mapped_column(JSON)
    checked_at: Mapped[int] = mapped_column(BigInteger)


APP_TABLES: list[Table] = [
    Base.metadata.tables[m.__tablename__] for m in (FieldProfile, DiaryEntry, Diagnosis, Lot)
]
