"""A field's growing profile (market), harvest locks and lot verdicts, read from the diary: the one
place that turns recorded sprays into "may this field or lot be harvested for its market" for
every screen. Voided diary entries are left out here, once, so no caller can forget them.

``recheck_open_lots`` is what a change of law triggers: when the act in force (or the catalogue
version) differs from the one the last check recorded, every open lot is judged again and the
verdict, with the one recorded before it, is stored in ``app_lot_law_check``."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.timezone import local_today
from server.advisory.compliance import catalogue
from server.farm import compliance
from server.farm.models import DiaryEntry, FieldProfile, Lot, LotLawCheck
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


@dataclass(frozen=True)
class Recheck:
    """What ``recheck_open_lots`` did: the act and catalogue judged under, the lots judged (none
    when nothing changed since the last check) and those whose verdict turned to refused."""

    act: str
    catalogue_version: str
    open_from: date | None
    checked: tuple[int, ...]
    newly_refused: tuple[int, ...]
    newly_allowed: tuple[int, ...]

    @property
    def ran(self) -> bool:
        return self.open_from is not None


def open_from(act: catalogue.LegalAct) -> date:
    """First harvest day of an open lot under ``act``: the day the act it replaces came into force.

    The project has no "sold" state for a lot, so a lot counts as open while its produce may still
    be on sale when the list changes: made under the outgoing list or later. The first act of the
    catalogue opens from its own day (nothing older is held)."""
    known = catalogue.acts()
    i = next(n for n, a in enumerate(known) if a.act_id == act.act_id)
    return known[max(i - 1, 0)].in_force


def recheck_open_lots(db: Session, today: date | None = None, now_s: int | None = None) -> Recheck:
    """Re-judge the open lots when the law in force changed since the last recorded check.

    Run by ``farm server recheck`` (and after deploying a new catalogue). A second run under the
    same act and catalogue version does nothing. The caller commits."""
    day = today or local_today()
    act, version = catalogue.act_in_force(day), catalogue.version()
    last = db.scalars(select(LotLawCheck).order_by(LotLawCheck.id.desc()).limit(1)).first()
    if last is not None and (last.act, last.catalogue_version) == (act.act_id, version):
        return Recheck(act.act_id, version, None, (), (), ())
    start = open_from(act)
    lots = list(db.scalars(select(Lot).where(Lot.harvest_date >= start).order_by(Lot.id)))
    verdicts = lot_verdicts(db, lots)
    before: dict[int, bool] = {}
    ids = [lot.id for lot in lots]
    for row in db.scalars(select(LotLawCheck).where(LotLawCheck.lot_id.in_(ids)).order_by(LotLawCheck.id)):
        before[row.lot_id] = row.allowed  # the latest recorded verdict wins
    stamp = int(time.time()) if now_s is None else now_s
    refused, allowed = [], []
    for lot in lots:
        verdict = verdicts[lot.id]
        was = before.get(lot.id)
        codes = [r.code for r in verdict.reasons]
        db.add(
            LotLawCheck(
                lot_id=lot.id,
                act=act.act_id,
                catalogue_version=version,
                allowed=verdict.allowed,
                was_allowed=was,
                codes=codes,
                checked_at=stamp,
            )
        )
        if was is not False and not verdict.allowed:
            refused.append(lot.id)
        elif was is False and verdict.allowed:
            allowed.append(lot.id)
    db.flush()
    return Recheck(act.act_id, version, start, tuple(ids), tuple(refused), tuple(allowed))
