"""Harvest lock: the earliest safe harvest date per field and market, and lot creation checks.

Earliest safe harvest = max over the field's spray entries of (application date + PHI). The PHI
of an entry is the longest of: the label PHI recorded in the diary, and catalogue PHIs for the
crop that apply to every market or to the target market (stricter market-specific PHIs only
where sourced). An entry whose PHI is unknown blocks lots: the date is never guessed.
A lot is allowed on the day the PHI ends (applied on day D with PHI N: harvest from D + N).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from server.advisory.compliance import catalogue
from server.advisory.compliance.diary import SprayEntry
from server.advisory.compliance.rules import Finding, check_entry
from server.advisory.i18n import Text, message


@dataclass(frozen=True)
class EntryPhi:
    """The PHI used for one entry and where it came from."""

    entry_id: str
    applied_on: date
    phi_days: int | None
    source: str
    safe_from: date | None


@dataclass(frozen=True)
class HarvestLock:
    """Earliest safe harvest date of a field for a market (None while any PHI is unknown)."""

    field_id: str
    market: str
    earliest_harvest: date | None
    binding_entry_id: str | None
    entries: tuple[EntryPhi, ...]
    unknown_phi_entries: tuple[str, ...]
    catalogue_version: str


def _catalogue_phis(entry: SprayEntry, market: str) -> list[tuple[int, str]]:
    group = catalogue.crop_group(entry.crop_key)
    found: list[tuple[int, str]] = []
    product = catalogue.find_product(entry.product) if entry.product else None
    phis = list(product.phis) if product else []
    for active in entry.resolved_actives():
        phis.extend(catalogue.active_phis(active))
    for phi in phis:
        if phi.market not in ("ANY", market):
            continue
        crop_ok = phi.crop == entry.crop_key or phi.crop_group in ("all", group)
        if crop_ok:
            found.append((phi.days, f"catalogue: {phi.source}"))
    return found


def entry_phi(entry: SprayEntry, market: str) -> EntryPhi:
    """PHI of one entry for a market: the longest applicable value."""
    candidates = _catalogue_phis(entry, market)
    if entry.label_phi_days is not None:
        candidates.append((entry.label_phi_days, "label (diary)"))
    if not candidates:
        return EntryPhi(entry.entry_id, entry.applied_on, None, "unknown", None)
    days, source = max(candidates, key=lambda c: c[0])
    return EntryPhi(entry.entry_id, entry.applied_on, days, source, entry.applied_on + timedelta(days=days))


def harvest_lock(entries: Sequence[SprayEntry], field_id: str, market: str) -> HarvestLock:
    """Earliest safe harvest for ``field_id`` and ``market`` from the diary entries."""
    mine = [e for e in entries if e.field_id == field_id]
    phis = tuple(entry_phi(e, market) for e in mine)
    unknown = tuple(p.entry_id for p in phis if p.safe_from is None)
    known = [p for p in phis if p.safe_from is not None]
    binding = max(known, key=lambda p: p.safe_from or date.min) if known else None
    earliest = None if unknown else (binding.safe_from if binding else None)
    return HarvestLock(
        field_id, market, earliest, binding.entry_id if binding else None, phis, unknown, catalogue.version()
    )


@dataclass(frozen=True)
class LotDecision:
    """Whether a lot may be created, and why not."""

    allowed: bool
    reasons: tuple[Text, ...]
    codes: tuple[str, ...]
    lock: HarvestLock
    findings: tuple[Finding, ...]


def can_create_lot(entries: Sequence[SprayEntry], field_id: str, market: str, on: date) -> LotDecision:
    """Allow a lot for ``market`` on ``on`` only when every PHI has ended and no entry breaks a rule.

    The one decision behind every "may this be a lot?" in the app: ``server.farm.compliance.
    judge_lot`` calls it for the lot endpoint, harvest screen, public page, PDF and officer report
    and only adds the reasons' message parameters; a test holds the two to the same answers."""
    lock = harvest_lock(entries, field_id, market)
    findings = tuple(f for e in entries if e.field_id == field_id for f in check_entry(e, market))
    reasons: list[Text] = [f.text for f in findings if f.severity == "error"]
    codes: list[str] = [f.code for f in findings if f.severity == "error"]
    if lock.unknown_phi_entries:
        codes.append("phi_unknown")
        reasons.append(message("compliance.phi_unknown", entries=", ".join(lock.unknown_phi_entries)))
    elif lock.earliest_harvest is not None and on < lock.earliest_harvest:
        days_left = (lock.earliest_harvest - on).days
        codes.append("phi_not_elapsed")
        reasons.append(
            message("compliance.phi_not_elapsed", days_left=days_left, earliest_harvest=lock.earliest_harvest)
        )
    return LotDecision(not codes, tuple(reasons), tuple(dict.fromkeys(codes)), lock, findings)
