"""What matters now on one field, from the data that exists: sensors, advisory, diagnoses, diary.

Uses the farmer app's "today" (the advisory engine on the field's own data) so officers and farmers
see the same irrigation, disease-risk and harvest-lock answers; anything missing reads "unknown".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from server.registry.models import Field
from server.timeseries.base import TimeSeriesStore

if TYPE_CHECKING:
    from server.farm.today import StoreReads

log = logging.getLogger(__name__)
RISK_RANK = {"none": 0, "low": 1, "unknown": 1, "moderate": 2, "high": 3}
IRRIGATE_REASONS = ("irrigate", "awd_irrigate")  # server.advisory.irrigation.Reason


@dataclass
class FieldStatus:
    risk: str = "unknown"  # none | low | moderate | high | unknown
    risk_disease: str | None = None
    irrigation: str = "unknown"  # reason code from the advisory engine
    irrigation_need: bool = False
    harvest_locked: bool = False
    safe_from: str | None = None
    soil_vwc: float | None = None

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def field_status(
    db: Session, store: TimeSeriesStore, field: Field, now: int, reads: StoreReads | None = None
) -> FieldStatus:
    """``reads``: one ``today.StoreReads`` shared by the fields of a farm (one store read per farm)."""
    out = FieldStatus()
    try:
        from server.farm import locks, today

        lock = locks.harvest_lock(db, field)
        t = today.field_today(store, field, locks.profile(db, field.id), lock, now, reads)
    except Exception:  # the farmer app's advisory glue is missing or failed: show what we have
        log.exception("field status for field %s", field.id)
        latest = store.latest([n.id for n in field.nodes])
        vals = [r.values["soil_vwc"] for r in latest.values() if "soil_vwc" in r.values]
        out.soil_vwc = round(sum(vals) / len(vals), 3) if vals else None
        return out
    risks = t.get("disease") or []
    if risks:
        top = max(risks, key=lambda r: RISK_RANK.get(r["level"], 0))
        out.risk, out.risk_disease = top["level"], top["disease"]
    else:
        out.risk = "none"
    irr = t.get("irrigation") or {}
    out.irrigation = str(irr.get("reason", "unknown"))
    out.irrigation_need = out.irrigation in IRRIGATE_REASONS
    harvest = t.get("harvest") or {}
    out.harvest_locked, out.safe_from = bool(harvest.get("locked")), harvest.get("safe_from")
    vwc = (t.get("readings") or {}).get("soil_vwc")
    out.soil_vwc = round(vwc, 3) if isinstance(vwc, float) else None
    return out
