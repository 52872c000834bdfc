"""Export-compliance rules the app applies: banned actives, pre-harvest intervals, harvest lock.

Reads the advisory pesticide catalogue (``server/advisory/data/pesticides.json``). When the
advisory ``compliance`` module provides these rules, this adapter delegates to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from server.advisory import data_files

BANNED_VN = frozenset({"banned", "removed"})
MARKETS = ("VN", "EU", "US", "JP", "CN")


def _catalogue() -> dict[str, Any]:
    data: dict[str, Any] = data_files.load("pesticides")
    return data


def warnings_for(actives: Iterable[str], market: str) -> list[dict[str, str]]:
    """Codes the app renders: ``banned_vn`` (removed/banned in Vietnam), ``not_approved`` (market)."""
    table = _catalogue()["actives"]
    out: list[dict[str, str]] = []
    for name in actives:
        row = table.get(name.lower())
        if row is None:
            out.append({"code": "unknown_active", "active": name})
            continue
        if row["vn"]["status"] in BANNED_VN:
            out.append({"code": "banned_vn", "active": name, "decision": row["vn"].get("decision") or ""})
        status = row.get("markets", {}).get(market, {}).get("status")
        if market != "VN" and status == "not_approved":
            out.append({"code": "not_approved", "active": name, "market": market})
    return out


def catalogue_phi(actives: Iterable[str], crop: str, market: str) -> int:
    """Longest catalogue PHI (days) for these actives on this crop and market; 0 if none listed."""
    data = _catalogue()
    group = data["crop_groups"].get(crop, crop)
    best = 0
    for name in actives:
        for row in data["actives"].get(name.lower(), {}).get("phi", []):
            if row["crop_group"] in ("all", group) and row["market"] in ("ANY", market):
                best = max(best, int(row["days"]))
    return best


def products(crop: str, market: str) -> list[dict[str, Any]]:
    """Catalogue products, those labelled for ``crop`` first, each with its warnings."""
    rows = []
    for p in _catalogue()["products"]:
        rows.append(
            {
                "id": p["id"],
                "name": p["trade_name"],
                "actives": p["actives"],
                "targets": p["targets"],
                "for_crop": crop in p["crops"],
                "phi_days": catalogue_phi(p["actives"], crop, market) or None,
                "warnings": warnings_for(p["actives"], market),
            }
        )
    return sorted(rows, key=lambda r: (not r["for_crop"], bool(r["warnings"]), r["name"]))


def treatments(condition: str, crop: str, market: str) -> list[dict[str, Any]]:
    """Products targeting ``condition`` that are allowed in Vietnam and in the field's market."""
    return [
        p for p in products(crop, market) if condition in p["targets"] and p["for_crop"] and not p["warnings"]
    ]


@dataclass(frozen=True)
class Application:
    product_name: str
    actives: Sequence[str]
    applied_on: date
    label_phi_days: int | None


@dataclass(frozen=True)
class HarvestLock:
    locked: bool
    safe_from: date | None
    product_name: str | None = None
    applied_on: date | None = None
    phi_days: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "locked": self.locked,
            "safe_from": self.safe_from.isoformat() if self.safe_from else None,
            "product_name": self.product_name,
            "applied_on": self.applied_on.isoformat() if self.applied_on else None,
            "phi_days": self.phi_days,
        }


def harvest_lock(apps: Iterable[Application], crop: str, market: str, today: date) -> HarvestLock:
    """Locked until the latest ``applied_on + max(label PHI, catalogue PHI)`` of all applications."""
    worst: HarvestLock = HarvestLock(False, None)
    for app in apps:
        phi = max(app.label_phi_days or 0, catalogue_phi(app.actives, crop, market))
        safe = app.applied_on + timedelta(days=phi)
        if worst.safe_from is None or safe > worst.safe_from:
            worst = HarvestLock(safe > today, safe, app.product_name, app.applied_on, phi)
    return worst
