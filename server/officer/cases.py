"""Reading the farmer app's photo diagnoses as cases, and the classifier's label list.

A case is *confirmed* once an officer confirmed or corrected it to a disease, *suspected* while
it rests on the model's answer alone. Healthy labels and unanswered photos are not cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.registry.geo import centroid
from server.registry.models import Field

QUEUE_STATES = ("pending", "disputed")  # the model abstained, or the farmer disputed its answer
REVIEWED_STATES = ("confirmed", "corrected")


def diagnosis_model() -> Any | None:
    """The farmer app's Diagnosis table, or None while that app is not installed."""
    try:
        from server.farm.models import Diagnosis
    except ImportError:
        return None
    return Diagnosis


def final_label(d: Any) -> str | None:
    label: str | None = d.review_label if d.review_status == "corrected" else d.label
    return label


def case_status(d: Any) -> str | None:
    label = final_label(d)
    if not label or label.endswith("__healthy"):
        return None
    return "confirmed" if d.review_status in REVIEWED_STATES else "suspected"


@dataclass(frozen=True)
class CaseRow:
    id: int
    field_id: int
    lat: float
    lon: float
    status: str
    label: str
    created_at: int


def cases(db: Session, fields: dict[int, Field], since: int, until: int) -> list[CaseRow]:
    """Cases on the given fields created in [since, until]; position: shared GPS, else field centre."""
    model = diagnosis_model()
    if model is None or not fields:
        return []
    rows = db.scalars(
        select(model).where(model.field_id.in_(fields), model.created_at >= since, model.created_at <= until)
    )
    out = []
    for d in rows:
        status = case_status(d)
        if status is None:
            continue
        lat, lon = (d.lat, d.lon) if d.lat is not None else centroid(fields[d.field_id].geometry)
        out.append(CaseRow(d.id, d.field_id, lat, lon, status, str(final_label(d)), d.created_at))
    return out


@lru_cache(maxsize=1)
def _labels() -> tuple[tuple[str, str, str, str], ...]:
    try:
        from vision.labels import load_labels

        return tuple((lb.name, lb.crop, lb.vi, lb.en) for lb in load_labels().labels)
    except (ImportError, OSError, ValueError):
        return ()


def labels() -> list[dict[str, str]]:
    return [{"name": n, "crop": c, "vi": vi, "en": en} for n, c, vi, en in _labels()]


def valid_label(name: str) -> bool:
    """Corrections must use the classifier's labels (so they are training data); free text if none."""
    known = {n for n, *_ in _labels()}
    return name in known if known else bool(name.strip())
