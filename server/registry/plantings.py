"""Growing-area codes (mã số vùng trồng, PUC) and plantings: what grows where, since when.

A PUC is issued for an area of one crop and may cover several fields of several farms; a field
belongs to at most one code. A planting is one crop cycle on one field, and the ONE record of what
grows on a field since when: the advice (Kc stage, GDD, disease windows) reads its season here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.audit import Audited
from server.db import Base
from server.registry.models import Field


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


# -- the one season record: every advice reads the field's current planting from here -------------


@dataclass(frozen=True)
class Season:
    """What the advice needs to know about the crop on a field on a day.

    ``planting_date`` is the start of the FAO-56 season (transplanting when recorded, else sowing:
    FAO-56 Table 11 counts transplanted rice from transplanting); None when no planting is recorded
    or it has no date, and the advice then says it assumed one."""

    crop: str
    planting_date: date | None
    planting_id: int | None = None

    @property
    def assumed(self) -> bool:
        return self.planting_date is None


def season_start(p: Planting) -> date | None:
    """The day the FAO-56 season starts: transplanting, else sowing."""
    return p.transplanted_on or p.sown_on


def _current(rows: Sequence[Planting], day: date) -> Planting | None:
    """The planting growing on ``day``: of those started by then (an undated one counts as started
    when recorded), the latest start; when every one is still planned, the latest recorded (the
    advice then says "not planted yet")."""
    if not rows:
        return None
    started = [p for p in rows if (s := season_start(p)) is None or s <= day]
    if not started:
        return max(rows, key=lambda p: p.id)
    return max(started, key=lambda p: (season_start(p) or day, p.id))


def current_plantings(db: Session, field_ids: Iterable[int], day: date) -> dict[int, Planting]:
    """The current planting of several fields with one query (fields without one are absent)."""
    ids = list(field_ids)
    by_field: dict[int, list[Planting]] = defaultdict(list)
    if ids:
        for p in db.scalars(select(Planting).where(Planting.field_id.in_(ids)).order_by(Planting.id)):
            by_field[p.field_id].append(p)
    return {fid: cur for fid, rows in by_field.items() if (cur := _current(rows, day)) is not None}


def season_of(field: Field, planting: Planting | None) -> Season:
    """The season the advice uses: the planting's crop and start, else the field's crop, undated."""
    if planting is None:
        return Season(field.crop, None)
    return Season(planting.crop, season_start(planting), planting.id)


def seasons(db: Session, fields: Sequence[Field], day: date) -> dict[int, Season]:
    """``season_of`` for several fields (one query)."""
    current = current_plantings(db, [f.id for f in fields], day)
    return {f.id: season_of(f, current.get(f.id)) for f in fields}


def record_season(db: Session, field: Field, crop: str, planting_date: date | None, day: date) -> Planting:
    """The farmer sets the crop and planting date of a field (the app's field screen).

    Same crop as the current planting: its start date is corrected (an audited update). Another
    crop, or no planting yet: a new planting (an audited insert), since a new crop is a new cycle.
    The field's ``crop`` column follows the current planting so the registry's lists agree."""
    current = current_plantings(db, [field.id], day).get(field.id)
    if current is not None and current.crop == crop:
        if current.transplanted_on is not None and planting_date is not None:
            current.transplanted_on = planting_date
        else:
            current.sown_on = planting_date
        planting = current
    else:
        planting = Planting(field_id=field.id, crop=crop, sown_on=planting_date)
        db.add(planting)
    db.flush()
    sync_field_crop(db, field, day)
    return planting


def sync_field_crop(db: Session, field: Field, day: date) -> None:
    """Keep the field's ``crop`` column (the registry's lists, the maps) on its current planting's
    crop, so no screen shows a crop other than the one the advice uses."""
    current = current_plantings(db, [field.id], day).get(field.id)
    if current is not None and field.crop != current.crop:
        field.crop = current.crop
