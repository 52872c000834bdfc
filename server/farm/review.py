"""The review of a photo diagnosis: one state machine for the farmer app and the officer's desk.

States (``Diagnosis.review_status``)::

    not_needed ─────────────┐  the model answered with confidence; nobody has to look
    pending ────────────────┤  the model abstained (or new photos came): on the review desk
    more_photos_requested ──┤  an officer asked the farmer for more photos (with a note)
    confirmed ──────────────┤  an officer agreed with the model's label
    corrected ──────────────┤  an officer chose another label (it becomes training data)
    disputed ───────────────┘  the farmer disagrees with the answer they hold: back on the desk

Who moves it: officers ``confirm``, ``correct`` or ask for ``more_photos``; the farmer ``dispute``s
an answer (the model's, a confirmation or a correction) or ``add_photos`` (which reopens a
"send more photos" request as ``pending``). ``disputed`` is reached only by the farmer: when an
officer disagrees with the model, that is what ``corrected`` records, and a farmer who then
disagrees with the officer sends the case back to the desk as ``disputed``, where an officer
settles it again. Every move is kept as a ``ReviewDecision`` (the event log; the training
export reads the officers' confirm/correct rows).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from server.advisory.disease import vocabulary
from server.farm import compliance
from server.farm.models import Diagnosis
from server.officer.models import ReviewDecision

STATES = ("not_needed", "pending", "more_photos_requested", "confirmed", "corrected", "disputed")
OFFICER_EVENTS = ("confirm", "correct", "more_photos")
FARMER_EVENTS = ("dispute", "add_photos")
_OFFICER = {"confirm": "confirmed", "correct": "corrected", "more_photos": "more_photos_requested"}
TRANSITIONS: dict[str, dict[str, str]] = {
    "not_needed": {**_OFFICER, "dispute": "disputed"},
    "pending": {**_OFFICER, "add_photos": "pending"},
    "more_photos_requested": {**_OFFICER, "add_photos": "pending"},
    "confirmed": {"correct": "corrected", "dispute": "disputed"},
    "corrected": {"correct": "corrected", "dispute": "disputed"},
    "disputed": {**_OFFICER, "add_photos": "disputed"},
}
QUEUE_STATES = ("pending", "disputed")  # what the review desk lists
REVIEWED_STATES = ("confirmed", "corrected")  # an officer's word stands
LEGACY_STATES = {"more_photos": "more_photos_requested"}  # stored before the state machine (0006 migrates)
# What an officer may answer besides a classifier label: the photo shows a crop the classifier
# does not know, something that is not a plant, or nothing anyone can judge. None is a disease case,
# none is training data for a class, and "cant_tell" is no verdict on the model either.
OUTCOMES = ("other_crop", "not_plant", "cant_tell")


class ReviewError(ValueError):
    """A move the state machine or its rules refuse; ``code`` is stable for the app."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    role: str  # "officer" | "farmer" (anyone who may see the field acts as its farmer)


def status(d: Diagnosis) -> str:
    return LEGACY_STATES.get(d.review_status, d.review_status)


def initial_status(abstained: bool) -> str:
    """A new diagnosis: the desk looks when the model abstained, nobody has to otherwise."""
    return "pending" if abstained else "not_needed"


def sampled(diag_id: int, rate: float) -> bool:
    """Whether a confident answer is in the audit sample that goes to the review desk too.

    Deterministic (a hash of the diagnosis id, not a random draw) so every worker, every page
    load and every test agrees on the same sample; ``rate`` is the share sampled, 0..1. Without
    the sample the desk would only ever see the model's unsure answers and its confident
    mistakes would feed the outbreak layer unchecked (issue 18)."""
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"review-sample:{diag_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


# One confident answer in ten goes to the review desk unless a deployment sets another rate
# (``review_sample_rate`` in settings, or RUONGSO_REVIEW_SAMPLE_RATE; 0 turns the sample off).
# A review-capacity choice of this project, not a statistical standard: at a few hundred photos a
# season it gives each common class some dozens of checked confident answers.
DEFAULT_SAMPLE_RATE = 0.1


def sample_rate(setting: str | None) -> float:
    """The configured share of confident answers to sample, 0..1; a bad or empty value gives the default."""
    text = str(setting or "").strip()
    try:
        rate = float(text) if text else DEFAULT_SAMPLE_RATE
    except ValueError:
        return DEFAULT_SAMPLE_RATE
    return rate if 0.0 <= rate <= 1.0 else DEFAULT_SAMPLE_RATE  # NaN fails both comparisons


def is_outcome(label: str | None) -> bool:
    """An officer's answer that is no classifier class (another crop, not a plant, can't tell)."""
    return label in OUTCOMES


def allowed(state: str, event: str) -> bool:
    return event in TRANSITIONS.get(LEGACY_STATES.get(state, state), {})


def farmer_actions(d: Diagnosis) -> list[str]:
    """What the farmer may do now (the app shows a button for each)."""
    return [e for e in FARMER_EVENTS if allowed(d.review_status, e)]


def final_label(d: Diagnosis) -> str | None:
    """The label that holds: an officer's (confirmed or corrected), else the model's."""
    label: str | None = d.review_label or d.label
    return label


def treatments(label: str | None, crop: str, market: str) -> list[dict[str, Any]]:
    """Products for the label's disease that neither Vietnam nor the field's market forbids."""
    found = vocabulary.label(label)
    out: dict[str, dict[str, Any]] = {}
    for target in found.targets if found else ():
        for product in compliance.treatments(target, crop, market):
            out.setdefault(product["id"], product)
    return list(out.values())


def candidates(d: Diagnosis) -> list[dict[str, Any]]:
    """The classifier's best guesses (its ``top3``) with names, for the officer to weigh."""
    rows = (d.result or {}).get("top3") or []
    return [
        {"label": c["label"], "confidence": c["confidence"], "name": vocabulary.label_name(c["label"])}
        for c in rows
        if isinstance(c, dict) and "label" in c
    ]


def _move(db: Session, d: Diagnosis, event: str, actor: Actor, at: int, **kw: Any) -> ReviewDecision:
    before = status(d)
    if not allowed(before, event):
        raise ReviewError("not_allowed", f"'{event}' is not possible while the review is '{before}'")
    after = TRANSITIONS[before][event]
    row = ReviewDecision(
        diagnosis_id=d.id,
        action=event,
        label=kw.get("label"),
        model_label=d.label,
        note=kw.get("note", ""),
        officer_id=actor.user_id,
        actor_role=actor.role,
        from_status=before,
        to_status=after,
        idempotency_key=kw.get("key"),
        at=at,
    )
    d.review_status = after
    db.add(row)
    return row


def decide(
    db: Session, d: Diagnosis, event: str, actor: Actor, at: int, label: str = "", note: str = ""
) -> None:
    """An officer's decision: ``confirm`` the model, ``correct`` it to a label, ask ``more_photos``."""
    if event not in OFFICER_EVENTS:
        raise ReviewError("unknown_action", f"action must be one of {sorted(OFFICER_EVENTS)}")
    if event == "correct" and vocabulary.label(label) is None and not is_outcome(label):
        raise ReviewError(
            "unknown_label", f"a correction must use one of the classifier's labels or {list(OUTCOMES)}"
        )
    if event == "confirm" and not d.label:
        raise ReviewError("nothing_to_confirm", "the model gave no label: correct it instead")
    if event == "more_photos" and not note:
        raise ReviewError("note_required", "say what to photograph: the farmer reads this note")
    held = {"confirm": d.label, "correct": label, "more_photos": None}[event]
    _move(db, d, event, actor, at, label=held, note=note)
    d.review_label, d.review_note, d.reviewed_at = held, note, at
    d.reviewed_by = str(actor.user_id) if actor.user_id is not None else None


def dispute(db: Session, d: Diagnosis, actor: Actor, at: int, note: str = "", key: str | None = None) -> None:
    """The farmer disagrees with the answer they hold: the case goes back to the desk."""
    _move(db, d, "dispute", actor, at, label=final_label(d), note=note, key=key)


def add_photos(
    db: Session, d: Diagnosis, digests: list[str], result: dict[str, Any], actor: Actor, at: int, key: str
) -> None:
    """The farmer's answer to "send more photos": the photos join the case, the model looks again
    at all of them (``result``), and the case returns to the desk."""
    _move(db, d, "add_photos", actor, at, note="", key=key)
    d.photos = [*d.photos, *(h for h in digests if h not in d.photos)]
    d.label, d.confidence = result.get("label"), float(result.get("confidence") or 0.0)
    d.abstained, d.reason = bool(result.get("abstained", True)), str(result.get("reason") or "")
    d.message_key, d.message_params = str(result["message_key"]), dict(result["message_params"])
    d.result = {k: v for k, v in result.items() if k not in ("message_key", "message_params")}


def replayed(db: Session, key: str, actor: Actor) -> ReviewDecision | None:
    """A move this actor already made under this idempotency key (a retried offline send).

    Keys are unique per actor, not globally: another user's key is no replay of theirs."""
    q = db.query(ReviewDecision).filter(
        ReviewDecision.idempotency_key == key, ReviewDecision.officer_id == actor.user_id
    )
    return q.one_or_none()


def dispute_notes(db: Session, ids: list[int]) -> dict[int, str]:
    """The farmer's words with the latest dispute of each case (what the officer reads first)."""
    rows = (
        db.query(ReviewDecision)
        .filter(ReviewDecision.diagnosis_id.in_(ids), ReviewDecision.action == "dispute")
        .order_by(ReviewDecision.id)
    )
    return {r.diagnosis_id: r.note for r in rows}
