"""A field's growing profile (market) and harvest locks, read from the diary: the one place that turns
recorded sprays into "may this field or lot be harvested for its market" for every screen."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.farm import compliance, fielddata
from server.farm.models import DiaryEntry, FieldProfile, Lot
from server.registry.models import Field


def today() -> date:
    """Today's date on the farm (Vietnam time), the day every lock and advice is judged on."""
    import time

    return fielddata.local_today(time.time())


def profile(db: Session, field_id: int) -> FieldProfile | None:
    return db.get(FieldProfile, field_id)


def market(db: Session, field_id: int) -> str:
    p = profile(db, field_id)
    return p.market if p else "VN"


def harvest_lock(db: Session, field: Field, day: date | None = None) -> compliance.HarvestLock:
    """The field's harvest lock on ``day`` (default today) for its market: ``harvest_locks`` of one."""
    p = profile(db, field.id)
    return harvest_locks(db, [field], {field.id: p} if p else {}, day)[field.id]


def profiles(db: Session, field_ids: Iterable[int]) -> dict[int, FieldProfile]:
    """The profiles of several fields in one query (fields without one are absent)."""
    ids = list(field_ids)
    rows = db.scalars(select(FieldProfile).where(FieldProfile.field_id.in_(ids))).all() if ids else []
    return {p.field_id: p for p in rows}


def harvest_locks(
    db: Session, fields: Sequence[Field], profiles: dict[int, FieldProfile], day: date | None = None
) -> dict[int, compliance.HarvestLock]:
    """``harvest_lock`` for several fields with one diary query; ``profiles`` as from ``profiles()``."""
    ids = [f.id for f in fields]
    sprays: dict[int, list[DiaryEntry]] = {i: [] for i in ids}
    if ids:
        rows = db.scalars(
            select(DiaryEntry)
            .where(DiaryEntry.field_id.in_(ids), DiaryEntry.kind == "spray")
            .order_by(DiaryEntry.id)
        )
        for e in rows:
            sprays[e.field_id].append(e)
    day = day or today()
    out = {}
    for f in fields:
        p = profiles.get(f.id)
        out[f.id] = _lock(f, sprays[f.id], p.market if p else "VN", day)
    return out


def application(e: DiaryEntry) -> compliance.Application:
    """A diary spray as the harvest lock reads it."""
    return compliance.Application(str(e.id), e.product_name, e.actives, e.applied_on, e.phi_days)


def _lock(field: Field, sprays: Sequence[DiaryEntry], market: str, day: date) -> compliance.HarvestLock:
    return compliance.harvest_lock([application(e) for e in sprays], field.crop, market, day)


def lot_lock(lot: Lot, entries: Iterable[DiaryEntry]) -> compliance.HarvestLock:
    """The harvest lock on ``lot``'s harvest date, for the crop and market recorded on the lot.

    Only the sprays of the lot's field applied up to that date count (``entries`` may hold more):
    a spray after the harvest belongs to the next one. Locked means a PHI had not ended."""
    apps = [
        application(e)
        for e in entries
        if e.field_id == lot.field_id and e.kind == "spray" and e.applied_on <= lot.harvest_date
    ]
    return compliance.harvest_lock(apps, lot.crop, lot.market, lot.harvest_date)
