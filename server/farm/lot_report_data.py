"""What the public lot report shows, read from the database; only public facts leave here.

Per spray, the advisory engine's harvest lock (through ``server.farm.compliance``) decides the
safe-from date and whether the harvest date respected it — the label PHI and the catalogue PHI
for the lot's market both count, so the PDF never disagrees with the app's harvest lock. The lot
as a whole is judged by the one compliance gate (``locks.lot_verdict``) when the report is made:
a spray of an active banned in Vietnam or not approved for the lot's market fails its row and the
lot, even when the ban came after the harvest.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from common.language import LANGS
from server.advisory.vietgap import evaluate_checklist
from server.farm import audit_evidence, compliance, locks
from server.farm.lot_report_model import CheckRow, LotReport, SprayRow
from server.farm.models import DiaryEntry, Lot
from server.registry.geo import area_units
from server.registry.models import Field
from server.registry.plantings import GrowingArea
from server.timeseries.base import TimeSeriesStore

Strings = tuple[dict[str, str], dict[str, str]]  # the app's vi and en string catalogues


def _names(strings: Strings, kind: str, value: str) -> tuple[str, str]:
    vi, en = strings
    key = f"{kind}_{value}"
    return vi.get(key) or value, en.get(key) or value


def _sprays(db: Session, field: Field, lot: Lot) -> list[DiaryEntry]:
    """The counted (not voided) sprays of the lot's field up to its harvest date."""
    found = locks.sprays(db, [field.id], lot.harvest_date)[field.id]
    return sorted(found, key=lambda e: (e.applied_on, e.id))


def spray_rows(
    db: Session, field: Field, lot: Lot, verdict: compliance.LotVerdict | None = None
) -> tuple[SprayRow, ...]:
    """Each spray up to the harvest date: its harvest lock on the harvest date, and not OK when the
    gate names it (a banned or unapproved active, an unknown product)."""
    sprays = _sprays(db, field, lot)
    verdict = verdict or locks.lot_verdict(lot, sprays)
    rows = []
    for e in sprays:
        lock = compliance.harvest_lock([locks.application(e)], lot.crop, lot.market, lot.harvest_date)
        phi = None if lock.phi_unknown else (lock.phi_days if lock.safe_from else e.phi_days or 0)
        ok = not lock.locked and str(e.id) not in verdict.blocked_entries
        rows.append(SprayRow(e.product_name, tuple(e.actives), e.applied_on, phi, lock.safe_from, ok))
    return tuple(rows)


def build(db: Session, store: TimeSeriesStore, lot: Lot, public_url: str, strings: Strings) -> LotReport:
    """The report content for ``lot``: no owner, phone, field name or geometry is read into it."""
    field = db.get(Field, lot.field_id)
    assert field is not None
    area = db.get(GrowingArea, field.growing_area_id) if field.growing_area_id else None
    farm_ev = audit_evidence.gather(db, store, field.farm, lot.harvest_date)
    result = evaluate_checklist(farm_ev.evidence, "vietgap")
    checks = tuple(
        CheckRow(
            tuple(r.item.text.get(g) for g in LANGS),
            audit_evidence.status(r.met, farm_ev.found.get(r.item.key)),
        )
        for r in result.results
    )
    coop = field.farm.cooperative
    units = area_units(field.area_m2)
    verdict = locks.lot_verdict(lot, _sprays(db, field, lot))
    problems = tuple(
        (compliance.reason_text(r, strings[0]), compliance.reason_text(r, strings[1]))
        for r in verdict.reasons
    )
    return LotReport(
        code=lot.code,
        crop=_names(strings, "crop", lot.crop),
        market=_names(strings, "market", lot.market),
        area_sao=units["sao"],
        area_ha=units["ha"],
        growing_area_code=area.code if area else None,
        harvest_date=lot.harvest_date,
        quantity_kg=lot.quantity_kg,
        place=", ".join(p for p in (field.farm.commune, coop.province if coop else None) if p),
        sprays=spray_rows(db, field, lot, verdict),
        checklist=checks,
        public_url=public_url,
        compliant=verdict.allowed,
        problems=problems,
    )
