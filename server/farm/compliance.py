"""The farm's one compliance gate, on top of the export rules of ``server.advisory.compliance``.

Every rule (banned actives, market approval, pre-harvest intervals) is decided by the advisory
engine; this module turns its answers into what the app shows and, above all, into the single
verdict ``judge_lot`` that every place asking "may this harvest be sold as a lot?" uses: the lot
endpoint, the harvest screen, the public lot page and its JSON, the PDF lot report and the officer
report. Verdicts are computed when read, never stored, so a lot that a later catalogue makes
non-compliant is flagged the next time anyone looks at it. Each spray is judged by the Vietnamese
list in force on its day and the verdict names the list in force on the harvest day
(``catalogue.act_in_force``); ``server.farm.locks.recheck_open_lots`` re-judges open lots when a
new list comes into force and records what changed.

Pure: no Flask, no database; callers pass the diary as ``Application`` rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from common.timezone import local_today
from server.advisory.compliance import catalogue
from server.advisory.compliance import harvest_lock as lock_rules
from server.advisory.compliance.diary import SprayEntry
from server.advisory.compliance.rules import check_entry

MARKETS = catalogue.MARKETS
# Advisory finding codes -> the app's warning and refusal codes (keys of its string catalogues).
WARNING_CODES = {
    "banned_in_vietnam": "banned_vn",
    "not_approved_for_market": "not_approved",
    "unknown_active": "unknown_active",
    "unknown_product": "unknown_product",
}
# Message keys of each refusal reason, joined with " — " when shown. The harvest-interval reasons
# reuse the harvest lock's own words, so a lock reads the same on every screen and in the PDF.
REASON_KEYS: dict[str, tuple[str, ...]] = {
    "banned_vn": ("gate_banned_vn",),
    "not_approved": ("gate_not_approved",),
    "unknown_product": ("gate_unknown_product",),
    "rule": ("gate_rule",),
    "phi_running": ("harvest_locked_until", "harvest_locked_why"),
    "phi_unknown": ("harvest_locked_unknown", "harvest_unknown_why"),
}


def warnings_for(
    actives: Iterable[str], market: str, crop: str = "", product: str | None = None, on: date | None = None
) -> list[dict[str, str]]:
    """Codes the diary shows next to a spray: ``banned_vn``, ``not_approved`` (market),
    ``unknown_active`` and ``unknown_product`` (no active ingredient known for the product);
    judged under the list in force ``on`` the spray's day (default today)."""
    entry = SprayEntry("check", "check", crop, on or local_today(), product, tuple(actives))
    out: list[dict[str, str]] = []
    for f in check_entry(entry, market):
        code = WARNING_CODES.get(f.code)
        if code is None:
            continue
        if code == "unknown_product":
            out.append({"code": code, "product": product or ""})
            continue
        if f.active is None:
            continue
        warning = {"code": code, "active": f.active}
        if code == "banned_vn":
            warning["decision"] = catalogue.vietnam_status(f.active, entry.applied_on).decision or ""
        if code == "not_approved":
            warning["market"] = market
        out.append(warning)
    return out


def catalogue_phi(actives: Sequence[str], crop: str, market: str, product: str | None = None) -> int | None:
    """Longest catalogue PHI (days) for these actives (and the product's own PHIs when ``product``
    is given) on this crop and market; None if none listed."""
    return _catalogue_phi(actives, crop, market, product)[0]


def _catalogue_phi(
    actives: Sequence[str], crop: str, market: str, product: str | None
) -> tuple[int | None, str | None]:
    entry = SprayEntry("phi", "phi", crop, local_today(), product, tuple(actives))
    phi = lock_rules.entry_phi(entry, market)
    return phi.phi_days, (phi.source if phi.phi_days is not None else None)


def products(crop: str, market: str) -> list[dict[str, Any]]:
    """Catalogue products, those labelled for ``crop`` first, each with its warnings and PHI.

    ``phi_days`` is the catalogue's PHI for the field's crop and market (what the diary's spray
    form pre-fills; None = none sourced, the farmer types the label's), ``phi_source`` where it
    comes from, and ``phi_by_crop`` the same for every crop the product is labelled for."""
    rows = []
    for p in catalogue.products().values():
        phi, phi_source = _catalogue_phi(p.actives, crop, market, p.product_id)
        rows.append(
            {
                "id": p.product_id,
                "name": p.trade_name,
                "actives": list(p.actives),
                "targets": list(p.targets),
                "for_crop": crop in p.crops,
                "phi_days": phi,
                "phi_source": phi_source,
                "phi_by_crop": {c: catalogue_phi(p.actives, c, market, p.product_id) for c in p.crops},
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
    """A recorded spray as the rules read it (voided diary entries are never passed in)."""

    entry_id: str
    product_name: str
    actives: Sequence[str]
    applied_on: date
    label_phi_days: int | None
    product_id: str | None = None


def _spray(a: Application, crop: str) -> SprayEntry:
    product = a.product_id or a.product_name or None
    return SprayEntry(a.entry_id, "field", crop, a.applied_on, product, tuple(a.actives), a.label_phi_days)


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
    lock = lock_rules.harvest_lock([_spray(a, crop) for a in apps], "field", market)
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


@dataclass(frozen=True)
class Reason:
    """Why a lot is refused: a code, the diary entry it comes from and the message parameters.

    ``params`` are raw values (ISO dates, market codes) that each renderer formats for its
    language: ``product``, ``date`` (applied), ``active``, ``decision``, ``market``, ``days``,
    ``safe_from``."""

    code: str
    entry_id: str | None
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> tuple[str, ...]:
        return REASON_KEYS[self.code]

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "keys": list(self.keys),
            "entry_id": self.entry_id,
            "params": dict(self.params),
        }


@dataclass(frozen=True)
class LotVerdict:
    """The gate's answer for one field (or lot), one market and one harvest day."""

    allowed: bool
    reasons: tuple[Reason, ...]
    lock: HarvestLock
    catalogue_version: str
    act: str | None = None  # the Vietnamese list in force on the harvest day

    @property
    def blocked_entries(self) -> frozenset[str]:
        """Diary entries that a reason names (the PDF marks their rows "Không đạt / Not OK")."""
        return frozenset(r.entry_id for r in self.reasons if r.entry_id is not None)

    def as_json(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "reasons": [r.as_json() for r in self.reasons],
            "harvest": self.lock.as_json(),
            "catalogue_version": self.catalogue_version,
            "act": self.act,
        }


def _rule_reason(code: str, active: str | None, a: Application, market: str) -> Reason:
    params: dict[str, Any] = {"product": a.product_name, "date": a.applied_on.isoformat()}
    if active:
        params["active"] = catalogue.active_name(active)
    if code == "banned_vn" and active:
        vn = catalogue.vietnam_status(active, a.applied_on)  # the law on the spray's day
        params["decision"] = vn.decision or ""
        params["act"] = vn.act or ""
    if code in ("not_approved", "rule"):
        params["market"] = market
    return Reason(code, a.entry_id, params)


def judge_lot(apps: Iterable[Application], crop: str, market: str, on: date) -> LotVerdict:
    """May a lot of ``crop`` for ``market`` be harvested on ``on`` given these recorded sprays?

    Each spray is judged by the Vietnamese list in force on its own day (an active removed later
    was legal before its last day of use); the verdict names the list in force on ``on``.
    Only sprays applied up to ``on`` count (a later one belongs to the next harvest). Refused when
    any of them holds an active banned or removed in Vietnam, one not approved for the market, an
    unknown product, or when a pre-harvest interval has not ended or is unknown: exactly the
    advisory ``can_create_lot`` decision, with a reason per entry for the screens."""
    mine = [a for a in apps if a.applied_on <= on]
    decision = lock_rules.can_create_lot([_spray(a, crop) for a in mine], "field", market, on)
    by_id = {a.entry_id: a for a in mine}
    reasons: list[Reason] = []
    banned: set[tuple[str, str | None]] = set()
    for f in decision.findings:
        if f.severity != "error":
            continue
        code = WARNING_CODES.get(f.code, "rule")
        if code == "banned_vn":
            banned.add((f.entry_id, f.active))
        elif code == "not_approved" and (f.entry_id, f.active) in banned:
            continue  # already refused for Vietnam; one reason per active is enough
        reasons.append(_rule_reason(code, f.active, by_id[f.entry_id], market))
    lock = harvest_lock(mine, crop, market, on)
    if lock.locked:
        binding = next(
            (a for a in mine if (a.product_name, a.applied_on) == (lock.product_name, lock.applied_on)), None
        )
        params = {
            "product": lock.product_name or "",
            "date": lock.applied_on.isoformat() if lock.applied_on else "",
            "days": lock.phi_days,
            "safe_from": lock.safe_from.isoformat() if lock.safe_from else "",
        }
        code = "phi_unknown" if lock.phi_unknown else "phi_running"
        reasons.append(Reason(code, binding.entry_id if binding else None, params))
    allowed = decision.allowed and not reasons
    if not allowed and not reasons:  # never refuse without saying why
        reasons.append(Reason("rule", None, {"market": market}))
    return LotVerdict(allowed, tuple(reasons), lock, catalogue.version(), catalogue.act_in_force(on).act_id)


def _day(iso: object) -> str:
    """dd/mm/yyyy in both languages, as the app and the public page write dates."""
    text = str(iso or "")
    return f"{text[8:10]}/{text[5:7]}/{text[:4]}" if len(text) >= 10 else text


def reason_text(reason: Reason, strings: Mapping[str, str]) -> str:
    """A reason in the language of ``strings`` (the app's string catalogue for vi or en)."""
    p = dict(reason.params)
    shown = {k: str(v) for k, v in p.items()}
    shown["date"] = _day(p.get("date"))
    shown["safe_from"] = _day(p.get("safe_from"))
    if p.get("market"):
        shown["market"] = strings.get(f"market_{p['market']}", str(p["market"]))
    parts = []
    for i, key in enumerate(reason.keys):
        values = dict(shown)
        if reason.code == "phi_running" and i == 0:  # "… safe from {date}" names the safe day
            values["date"] = shown["safe_from"]
        parts.append(strings.get(key, key).format_map(_Missing(values)))
    return " — ".join(parts)


class _Missing(dict[str, str]):
    """format_map helper: an absent parameter renders empty instead of raising KeyError."""

    def __missing__(self, key: str) -> str:
        return ""
