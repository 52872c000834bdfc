"""The farmer app's adapter to the export-compliance rules of ``server.advisory.compliance``.

Every rule (banned actives, market approval, pre-harvest intervals, the harvest lock) is decided
by the advisory engine; this module only shapes its answers for the app's JSON and screens.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from server.advisory.compliance import catalogue
from server.advisory.compliance import harvest_lock as lock_rules
from server.advisory.compliance.diary import SprayEntry
from server.advisory.compliance.rules import check_entry

MARKETS = catalogue.MARKETS
# Advisory finding codes -> the app's warning codes (keys of its string catalogues).
WARNING_CODES = {
    "banned_in_vietnam": "banned_vn",
    "not_approved_for_market": "not_approved",
    "unknown_active": "unknown_active",
}


def warnings_for(actives: Iterable[str], market: str, crop: str = "") -> list[dict[str, str]]:
    """Codes the app renders: ``banned_vn``, ``not_approved`` (market), ``unknown_active``."""
    entry = SprayEntry("check", "check", crop, date.today(), None, tuple(actives))
    out: list[dict[str, str]] = []
    for f in check_entry(entry, market):
        code = WARNING_CODES.get(f.code)
        if code is None or f.active is None:
            continue
        warning = {"code": code, "active": f.active}
        if code == "banned_vn":
            warning["decision"] = catalogue.vietnam_status(f.active).decision or ""
        if code == "not_approved":
            warning["market"] = market
        out.append(warning)
    return out


def catalogue_phi(actives: Sequence[str], crop: str, market: str) -> int | None:
    """Longest catalogue PHI (days) for these actives on this crop and market; None if none listed."""
    entry = SprayEntry("phi", "phi", crop, date.today(), None, tuple(actives))
    return lock_rules.entry_phi(entry, market).phi_days


def products(crop: str, market: str) -> list[dict[str, Any]]:
    """Catalogue products, those labelled for ``crop`` first, each with its warnings."""
    rows = []
    for p in catalogue.products().values():
        rows.append(
            {
                "id": p.product_id,
                "name": p.trade_name,
                "actives": list(p.actives),
                "targets": list(p.targets),
                "for_crop": crop in p.crops,
                "phi_days": catalogue_phi(p.actives, crop, market),
                "warnings": warnings_for(p.actives, market, crop),
            }
        )
    return sorted(rows, key=lambda r: (not r["for_crop"], bool(r["warnings"]), r["name"]))


def treatments(condition: str, crop: str, market: str) -> list[dict[str, Any]]:
    """Products for ``condition`` that neither Vietnam nor the field's market forbids."""
    return [
        p for p in products(crop, market) if condition in p["targets"] and p["for_crop"] and not p["warnings"]
    ]


@dataclass(frozen=True)
class Application:
    entry_id: str
    product_name: str
    actives: Sequence[str]
    applied_on: date
    label_phi_days: int | None


@dataclass(frozen=True)
class HarvestLock:
    """``locked`` until ``safe_from``; with an unknown PHI it stays locked (``phi_unknown``)."""

    locked: bool
    safe_from: date | None
    product_name: str | None = None
    applied_on: date | None = None
    phi_days: int = 0
    phi_unknown: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "locked": self.locked,
            "safe_from": self.safe_from.isoformat() if self.safe_from else None,
            "product_name": self.product_name,
            "applied_on": self.applied_on.isoformat() if self.applied_on else None,
            "phi_days": self.phi_days,
            "phi_unknown": self.phi_unknown,
        }


def harvest_lock(apps: Iterable[Application], crop: str, market: str, today: date) -> HarvestLock:
    """The advisory harvest lock for this field's diary and market, shaped for the app."""
    apps = list(apps)
    entries = [
        SprayEntry(
            a.entry_id, "field", crop, a.applied_on, a.product_name, tuple(a.actives), a.label_phi_days
        )
        for a in apps
    ]
    lock = lock_rules.harvest_lock(entries, "field", market)
    by_id = {a.entry_id: a for a in apps}
    if lock.unknown_phi_entries:
        first = by_id[lock.unknown_phi_entries[0]]
        return HarvestLock(True, None, first.product_name, first.applied_on, 0, phi_unknown=True)
    if lock.binding_entry_id is None or lock.earliest_harvest is None:
        return HarvestLock(False, None)
    binding = by_id[lock.binding_entry_id]
    phi = (lock.earliest_harvest - binding.applied_on).days
    return HarvestLock(
        lock.earliest_harvest > today, lock.earliest_harvest, binding.product_name, binding.applied_on, phi
    )
