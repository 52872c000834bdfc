"""Checks of a diary entry against Vietnamese law and the target market.

Vietnamese law is read as it stood on the entry's day: the list in force then
(``catalogue.act_in_force``) and an active's phase-out date (a removed active was legal to use
until its last day of use).

Findings have a stable code, a severity ("error" blocks a lot for that market, "warning" does
not) and a message (key + parameters, worded in every language from ``data/messages.json``) that
names the legal source (e.g. MARD Decision 501/QĐ-BNN-BVTV).
"""

from __future__ import annotations

from dataclasses import dataclass

from server.advisory.compliance import catalogue
from server.advisory.compliance.diary import SprayEntry
from server.advisory.i18n import Num, Text, message


@dataclass(frozen=True)
class Finding:
    """One problem with an entry."""

    code: str
    severity: str
    entry_id: str
    active: str | None
    market: str
    text: Text
    source: str
    act: str | None = None  # the Vietnamese list in force on the entry's day


def check_entry(entry: SprayEntry, market: str) -> list[Finding]:
    """Findings for one diary entry and one market ("VN" = domestic / VietGAP)."""
    if market not in catalogue.MARKETS:
        raise ValueError(f"unknown market {market!r}; known: {', '.join(catalogue.MARKETS)}")
    findings: list[Finding] = []
    actives = entry.resolved_actives()

    act = catalogue.act_in_force(entry.applied_on).act_id

    def found(code: str, severity: str, active: str | None, text: Text, source: str) -> None:
        findings.append(Finding(code, severity, entry.entry_id, active, market, text, source, act))

    if not actives:
        text = message("compliance.unknown_product", product=entry.product)
        found("unknown_product", "error", None, text, "diary")
    for active in actives:
        name = catalogue.active_names(active)
        vn = catalogue.vietnam_status(active, entry.applied_on)  # the list in force that day
        if vn.prohibited_on(entry.applied_on):
            kind = message("compliance.kind_removed" if vn.status == "removed" else "compliance.kind_banned")
            text = message(
                "compliance.banned_in_vietnam",
                active=name,
                kind=kind,
                decision=vn.decision or "",
                unverified=_unverified(vn.verified),
            )
            found("banned_in_vietnam", "error", active, text, vn.source)
        elif vn.status == "unknown":
            known = catalogue.known_active(active)  # in the catalogue, Vietnamese status not checked
            key = "compliance.vn_status_unknown" if known else "compliance.unknown_active"
            found("unknown_active", "warning", active, message(key, active=name, act=act), vn.source)
        if market == "VN":
            continue
        ms = catalogue.market_status(active, market)
        market_names = catalogue.market_names(market)
        if ms.status == "not_approved":
            text = message(
                "compliance.not_approved_for_market",
                active=name,
                market=market_names,
                act=f" ({ms.act})" if ms.act else "",
                unverified=_unverified(ms.verified),
            )
            found("not_approved_for_market", "error", active, text, ms.source)
        elif ms.status == "unknown":
            mrl, mrl_source = catalogue.default_mrl(market)
            default = "" if mrl is None else message("compliance.default_mrl", mrl=Num(mrl, 2))
            text = message(
                "compliance.market_status_unknown", active=name, market=market_names, default=default
            )
            found("market_status_unknown", "warning", active, text, mrl_source)
    return findings


def _unverified(verified: bool) -> Text | str:
    """The " (unverified)" mark of a status the catalogue has not checked against its source."""
    return "" if verified else message("compliance.unverified")
