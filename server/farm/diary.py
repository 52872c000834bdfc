"""The farm diary's rules: what a spray or fertiliser entry must hold, and how a mistake is voided.

A diary is evidence (VietGAP, TCVN 11892-1:2017, asks for a record of every plant-protection and
fertiliser application), so the rules lean to keeping the truth:

* a spray is recorded as it happened, banned active or not, with its warnings (the lot gate,
  ``server.farm.compliance.judge_lot``, is what refuses the harvest, not the diary);
* an entry dated after today (farm time) is refused: the diary records what was done, and a
  future spray would lock the field for a harvest interval that has not started;
* an entry is never deleted; a mistaken one is voided with who, when and why, stays in the history
  struck through and no longer counts for locks and lots (every change is also in ``audit_log``);
* a fertiliser entry picks from the fertiliser catalogue, never from the pesticide one.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from server.advisory.compliance import fertilisers
from server.farm import compliance
from server.farm.models import DiaryEntry

KINDS = ("spray", "fertiliser", "other")
REASON_MAX = 500
MAX_NUMBER = 1e9  # no amount or interval on a label comes near; bigger is a typo or a probe


class DiaryError(Exception):
    """A refused entry: HTTP status, a stable code the app translates, and a plain detail."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


def _number(body: dict[str, Any], key: str, kind: type[int] | type[float]) -> int | float | None:
    value = body.get(key)
    if value in (None, ""):
        return None
    try:  # "inf", "nan" and 1e400 parse as floats; stored, they break every list that shows them
        out = kind(value)
        if not math.isfinite(out) or abs(out) > MAX_NUMBER:
            raise ValueError(key)
        return out
    except (TypeError, ValueError, OverflowError):
        raise DiaryError(422, "invalid_number", f"{key} must be a finite number") from None


def _product(kind: str, body: dict[str, Any], crop: str, market: str) -> tuple[str | None, str, list[str]]:
    """(product_id, name, actives) from the catalogue of this kind, or the typed name and actives."""
    wanted = body.get("product_id") or None
    typed = str(body.get("product_name") or "").strip()[:200]
    if kind == "fertiliser":
        f = fertilisers.find(str(wanted)) if wanted else None
        return (f.fertiliser_id, f.name, []) if f else (None, typed, [])
    if kind == "spray":
        p = next((p for p in compliance.products(crop, market) if p["id"] == wanted), None)
        if p is not None:
            return p["id"], p["name"], list(p["actives"])
    actives = body.get("actives") or []
    if not isinstance(actives, list):  # a number or an object here once answered 500
        raise DiaryError(422, "invalid_entry", "actives must be a list of active ingredient names")
    return None, typed, [str(a)[:100] for a in actives][:5]


def apply(e: DiaryEntry, body: dict[str, Any], crop: str, market: str, today: date) -> None:
    """Validate ``body`` and copy it into ``e``; raises ``DiaryError`` before changing anything."""
    kind = body.get("kind", "spray")
    raw_day = body.get("applied_on") or today.isoformat()
    try:
        applied = date.fromisoformat(str(raw_day))
    except ValueError:
        applied = None
    if kind not in KINDS or applied is None:
        raise DiaryError(422, "invalid_entry", f"kind one of {KINDS}; applied_on YYYY-MM-DD")
    if applied > today:
        raise DiaryError(
            400, "future_date", f"applied_on {applied.isoformat()} is after today ({today.isoformat()})"
        )
    product_id, name, actives = _product(kind, body, crop, market)
    if not name:
        raise DiaryError(422, "no_product", "product_id from the catalogue or a product_name")
    phi = _number(body, "phi_days", int)
    amount = _number(body, "amount", float)
    if kind == "spray" and (phi is None or not 0 <= phi <= 365):
        raise DiaryError(422, "phi_required", "a spray needs phi_days from the product label (0-365)")
    e.kind, e.applied_on, e.product_name, e.amount = kind, applied, name, amount
    e.phi_days = int(phi) if phi is not None and kind == "spray" else None
    e.product_id, e.actives = product_id, actives
    e.unit, e.note = str(body.get("unit") or "")[:20] or None, str(body.get("note") or "")[:2000]
    e.warnings = warnings(e, market, crop)


def warnings(e: DiaryEntry, market: str, crop: str) -> list[dict[str, str]]:
    """A spray's warnings under the legal act in force on the day it was applied (fertilisers have
    none): an active sprayed before its ban took effect was lawful then and is no ban warning, the
    same active sprayed after is (issue 17; the catalogue keeps each act's dates)."""
    if e.kind != "spray":
        return []
    return compliance.warnings_for(e.actives, market, crop, e.product_id or e.product_name, on=e.applied_on)


def void(e: DiaryEntry, by: str | None, reason: str, now_s: int) -> bool:
    """Void ``e`` (who, when, why); False when it was already voided (nothing changes then)."""
    reason = reason.strip()[:REASON_MAX]
    if not reason:
        raise DiaryError(422, "void_reason_required", "say why the entry is voided (reason)")
    if e.voided_at is not None:
        return False
    e.voided_at, e.voided_by, e.void_reason = now_s, by, reason
    e.version += 1
    e.updated_at = now_s
    return True


def entry_json(e: DiaryEntry, market: str, crop: str, names: dict[str, str] | None = None) -> dict[str, Any]:
    """An entry for the app; ``warnings`` are judged when read, ``voided`` says who, when and why.

    ``names`` maps user ids to display names (the voider's name in the history)."""
    voided = None
    if e.voided_at is not None:
        by = (names or {}).get(e.voided_by or "", "")
        voided = {"at": e.voided_at, "by": e.voided_by, "by_name": by, "reason": e.void_reason or ""}
    return {
        "id": e.id,
        "idempotency_key": e.idempotency_key,
        "field_id": e.field_id,
        "kind": e.kind,
        "product_id": e.product_id,
        "product_name": e.product_name,
        "actives": e.actives,
        "amount": e.amount,
        "unit": e.unit,
        "phi_days": e.phi_days,
        "applied_on": e.applied_on.isoformat(),
        "note": e.note,
        "warnings": warnings(e, market, crop),
        "version": e.version,
        "updated_at": e.updated_at,
        "voided": voided,
    }
