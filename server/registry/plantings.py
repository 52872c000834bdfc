"""Growing-area codes (mã số vùng trồng, PUC) and plantings: what grows where, since when.

A PUC is issued for an area of one crop and may cover several fields of several farms; a field
belongs to at most one code. A planting is one crop cycle on one field.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.audit import Audited
from server.db import Base


class GrowingArea(Audited, Base):
    __tablename__ = "growing_area"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "VN-PTO-0123" as issued
    crop: Mapped[str] = mapped_column(String(50))
    market: Mapped[str | None] = mapped_column(String(50))  # export market the code was issued for
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperative.id"))
    valid_until: Mapped[date | None] = mapped_column(Date)


class Planting(Audited, Base):
    __tablename__ = "planting"
    id: Mapped[int] = mapped_column(primary_key=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("field.id"), index=True)
    crop: Mapped[str] = mapped_column(String(50))
    variety: Mapped[str | None] = mapped_column(String(100))
    sown_on: Mapped[date | None] = mapped_column(Date)
    transplanted_on: Mapped[date | None] = mapped_column(Date)
    expected_harvest: Mapped[date | None] = mapped_column(Date)
