"""A field's growing profile (market), harvest locks and lot verdicts, read from the diary: the one
place that turns recorded sprays into "may this field or lot be harvested for its market" for
every screen. Voided diary entries are left out here, once, so no caller can forget them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.timezone import local_today
from server.farm import compliance
from server.farm.models import DiaryEntry, FieldProfile, Lot
from server.registry.models import Field


def profile(db: Session, field_id: int) -> FieldProfile | None:
    return db.get(FieldProfile, field_id)


def market(db: Session, field_id: int) -> str:
    p = profile(db, field_id)
    return p.market if p else "VN"


def profiles(db: Session, field_ids: Iterable[int]) -> dict[int, FieldProfile]:
    """The profiles of several fields in one query (fields without one are absent)."""
    ids = list(field_ids)
    rows = db.scalars(select(FieldProfile).where(FieldProfile.field_id.in_(ids))).all() if ids else []
    return {p.field_id: p for p in rows}


def counted(e: DiaryEntry) -> bool:
    """A spray that counts for locks and lots: recorded and not voided."""
    return e.kind == "spray" and e.voided_at is None


def sprays(db: Session, field_ids: Sequence[int], up_to: date | None = None) -> dict[int, list[DiaryEntry]]:
    """The counted sprays of these fields (optionally applied up to a day), oldest id first."""
    out: dict[int, list[DiaryEntry]] = {i: [] for i in field_ids}
    if not field_ids:
        return out
    query = select(DiaryEntry).where(
        DiaryEntry.field_id.in_(field_ids), DiaryEntry.kind == "spray", DiaryEntry.voided_at.is_(None)
    )
    if up_to is not None:
        query = query.where(DiaryEntry.applied_on <= up_to)
    for e in db.scalars(query.order_by(DiaryEntry.id)):
        out[e.field_id].append(e)
    return out


def harvest_lock(db: Session, field: Field, day: date | None = None) -> compliance.HarvestLock:
    """The field's harvest lock on ``day`` (default today) for its market: ``harvest_locks`` of one."""
    p = profile(db, field.id)
    return harvest_locks(db, [field], {field.id: p} if p else {}, day)[field.id]


def harvest_locks(
    db: Session, fields: Sequence[Field], profiles: dict[int, FieldProfile], day: date | None = None
) -> dict[int, compliance.HarvestLock]:
    """``harvest_lock`` for several fields with one diary query; ``profiles`` as from ``profiles()``.
    The pre-harvest-interval part of ``field_verdicts``, so a lock and a verdict never disagree."""
    return {fid: v.lock for fid, v in field_verdicts(db, fields, profiles, day).items()}


def field_verdicts(
    db: Session, fields: Sequence[Field], profiles: dict[int, FieldProfile], day: date | None = None
) -> dict[int, compliance.LotVerdict]:
    """``field_verdict`` for several fields with one diary query (the home screen's field cards)."""
    day = day or local_today()  # the farm's day, the one every lock is judged on
    by_field = sprays(db, [f.id for f in fields], day)
    out = {}
    for f in fields:
        p = profiles.get(f.id)
        apps = [application(e) for e in by_field[f.id]]
        out[f.id] = compliance.judge_lot(apps, f.crop, p.market if p else "VN", day)
    return out


def application(e: DiaryEntry) -> compliance.Application:
    """A diary spray as the harvest lock and the lot gate read it."""
    return compliance.Application(
        str(e.id), e.product_name, e.actives, e.applied_on, e.phi_days, e.product_id
    )


def field_verdict(db: Session, field: Field, day: date | None = None) -> compliance.LotVerdict:
    """May a lot of this field be made on ``day`` (default today)? The gate the lot endpoint, the
    home screen and the harvest screen use; the same ``judge_lot`` later judges the lot itself."""
    p = profile(db, field.id)
    return field_verdicts(db, [field], {field.id: p} if p else {}, day)[field.id]


def lot_verdict(lot: Lot, entries: Iterable[DiaryEntry]) -> compliance.LotVerdict:
    """The gate's verdict on an existing lot, judged now with today's catalogue.

    Only the counted sprays of the lot's field up to its harvest date matter (``entries`` may hold
    more): a spray after the harvest belongs to the next one. The lot's own crop and market count,
    as recorded when it was made."""
    apps = [
        application(e)
        for e in entries
        if e.field_id == lot.field_id and counted(e) and e.applied_on <= lot.harvest_date
    ]
    return compliance.judge_lot(apps, lot.crop, lot.market, lot.harvest_date)


def lot_verdicts(db: Session, lots: Sequence[Lot]) -> dict[int, compliance.LotVerdict]:
    """``lot_verdict`` for several lots with one diary query (the officer report, the checklist)."""
    by_field = sprays(db, sorted({lot.field_id for lot in lots}))
    return {lot.id: lot_verdict(lot, by_field[lot.field_id]) for lot in lots}


def lot_lock(lot: Lot, entries: Iterable[DiaryEntry]) -> compliance.HarvestLock:
    """The harvest lock on ``lot``'s harvest date (the PHI part of ``lot_verdict``)."""
    return lot_verdict(lot, entries).lock
