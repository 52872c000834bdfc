"""Reading the farmer app's photo diagnoses as cases, and the classifier's label list.

A case is *confirmed* once an officer confirmed or corrected it to a disease, *suspected* while
it rests on the model's answer alone. Healthy labels and unanswered photos are not cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.language import LANGS
from server.advisory.disease import vocabulary
from server.farm import review
from server.registry.geo import centroid
from server.registry.models import Field

QUEUE_STATES = review.QUEUE_STATES  # the model abstained, or the farmer disputed the answer
REVIEWED_STATES = review.REVIEWED_STATES


def diagnosis_model() -> Any | None:
    """The farmer app's Diagnosis table, or None while that app is not installed."""
    try:
        from server.farm.models import Diagnosis
    except ImportError:
        return None
    return Diagnosis


def final_label(d: Any) -> str | None:
    return review.final_label(d)


def case_status(d: Any) -> str | None:
    label = final_label(d)
    entry = vocabulary.label(label)
    if not label or review.is_outcome(label) or (entry is not None and entry.healthy):
        return None  # healthy, another crop, not a plant, or an officer could not tell
    return "confirmed" if d.review_status in REVIEWED_STATES else "suspected"


@dataclass(frozen=True)
class CaseRow:
    id: int
    field_id: int
    farm_id: int
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
        farm_id = fields[d.field_id].farm_id
        out.append(CaseRow(d.id, d.field_id, farm_id, lat, lon, status, str(final_label(d)), d.created_at))
    return out


def labels() -> list[dict[str, str]]:
    """The classifier's labels with their names, from the one disease vocabulary."""
    return [
        {"name": lb.name, "crop": lb.crop} | {lang: lb.names[lang] for lang in LANGS}
        for lb in vocabulary.labels().values()
    ]


def valid_label(name: str) -> bool:
    """Corrections use the classifier's labels (training data) or one of the review outcomes."""
    return vocabulary.label(name) is not None or review.is_outcome(name)
