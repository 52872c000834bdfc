"""Officer/model agreement per classifier class: how often the desk upheld the model's answer.

Read from the review log (``ReviewDecision``): for every diagnosis the latest officer decision
that settled a label (confirm or correct) counts once. "Can't tell" is no verdict and is left out
of the rate; "another crop" and "not a plant" are disagreements (the model named a disease of a
crop that was not in the photo). The confident answers the desk saw only because they were in the
audit sample (``server.farm.review.sampled``; logged as moves from ``not_needed``) are also
counted apart: unlike the abstentions and disputes, they are an unbiased look at the model's
confident answers, which is what the model card reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.advisory.disease import vocabulary
from server.officer.models import ReviewDecision

SETTLING = ("confirm", "correct")


@dataclass
class ClassAgreement:
    model_label: str
    reviewed: int = 0  # settled decisions on this class's answers
    agreed: int = 0  # confirmed, or "corrected" to the same label
    disagreed: int = 0  # another class, another crop, not a plant
    cant_tell: int = 0
    sampled_reviewed: int = 0  # of those, confident answers from the audit sample
    sampled_agreed: int = 0

    @property
    def rate(self) -> float | None:
        judged = self.agreed + self.disagreed
        return round(self.agreed / judged, 4) if judged else None

    @property
    def sampled_rate(self) -> float | None:
        return round(self.sampled_agreed / self.sampled_reviewed, 4) if self.sampled_reviewed else None

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"rate": self.rate, "sampled_rate": self.sampled_rate}


def tally(decisions: Iterable[ReviewDecision]) -> list[ClassAgreement]:
    """Pure: per model label, from decisions in log order (the latest per diagnosis holds)."""
    latest: dict[int, ReviewDecision] = {}
    first_from: dict[int, str | None] = {}
    for d in decisions:
        if d.action not in SETTLING or not d.model_label:
            continue
        first_from.setdefault(d.diagnosis_id, d.from_status)
        latest[d.diagnosis_id] = d
    out: dict[str, ClassAgreement] = {}
    for diag_id, d in latest.items():
        row = out.setdefault(str(d.model_label), ClassAgreement(str(d.model_label)))
        row.reviewed += 1
        agreed = d.label == d.model_label
        if d.label == "cant_tell":
            row.cant_tell += 1
        elif agreed:
            row.agreed += 1
        else:
            row.disagreed += 1
        if first_from[diag_id] == "not_needed":  # reached the desk through the audit sample
            row.sampled_reviewed += int(d.label != "cant_tell")
            row.sampled_agreed += int(agreed)
    return sorted(out.values(), key=lambda r: r.model_label)


def for_diagnoses(db: Session, diagnosis_ids: Iterable[int] | None) -> list[ClassAgreement]:
    """Agreement over the officers' decisions on these diagnoses (None: every diagnosis)."""
    q = select(ReviewDecision).where(ReviewDecision.actor_role == "officer").order_by(ReviewDecision.id)
    if diagnosis_ids is not None:
        ids = list(diagnosis_ids)
        if not ids:
            return []
        q = q.where(ReviewDecision.diagnosis_id.in_(ids))
    return tally(db.scalars(q))


def document(rows: list[ClassAgreement], rate: float, generated_at: int) -> dict[str, Any]:
    """What the API serves and ``farm officer agreement`` writes for the model card."""
    return {
        "generated_at": generated_at,
        "sample_rate": rate,
        "classes": [r.as_json() | {"name": vocabulary.label_name(r.model_label)} for r in rows],
    }
