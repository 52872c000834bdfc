"""Shared types of the disease models: risk levels, results, nearby diagnoses and scouting tasks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from common.language import LANGS, Num, words
from server.advisory import data_files
from server.advisory.i18n import Text, level_text, message

#: A confirmed photo diagnosis of the same disease within this radius and this many days raises
#: the risk one level (project rule: spores travel between neighbouring fields within days).
NEARBY_RADIUS_KM = 5.0
NEARBY_MAX_AGE_DAYS = 14


class RiskLevel(StrEnum):
    """Risk levels; UNKNOWN when missing hours could hide a higher risk."""

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Order for comparisons (UNKNOWN ranks with LOW: not a reassurance, not an alarm)."""
        return {"none": 0, "low": 1, "unknown": 1, "moderate": 2, "high": 3}[self.value]


def max_level(a: RiskLevel, b: RiskLevel) -> RiskLevel:
    """The higher of two levels."""
    return a if a.rank >= b.rank else b


@dataclass(frozen=True)
class ModelOutput:
    """What one model says about one day, before coverage and nearby-diagnosis handling."""

    level: RiskLevel
    score: float
    driving_hours: tuple[datetime, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NearbyDiagnosis:
    """A photo diagnosis from a nearby field (label = disease key, e.g. ``"late_blight"``)."""

    label: str
    distance_km: float
    observed: date
    confirmed: bool = True


@dataclass(frozen=True)
class Task:
    """Something for the farmer to do, e.g. scout and photograph."""

    kind: str
    field_id: str
    disease_key: str
    due: date
    text: Text


@dataclass(frozen=True)
class Coverage:
    """Hours with usable data over the days a model looked at."""

    covered_hours: int
    expected_hours: int

    @property
    def complete(self) -> bool:
        """True when no hour was missing."""
        return self.covered_hours >= self.expected_hours


@dataclass(frozen=True)
class DiseaseRisk:
    """Risk of one disease in one field on one day, with the evidence behind it."""

    field_id: str
    disease_key: str
    day: date
    level: RiskLevel
    score: float
    model: str
    coverage: Coverage
    driving_hours: tuple[datetime, ...]
    details: dict[str, Any]
    text: Text
    notes: tuple[Text, ...] = ()
    tasks: tuple[Task, ...] = ()
    nearby_raised: bool = False


def disease_info(key: str) -> dict[str, Any]:
    """Row of ``data/diseases.json``."""
    info: dict[str, Any] = data_files.load("diseases")["diseases"][key]
    return info


def combine_with_coverage(actual: ModelOutput, worst: ModelOutput | None) -> tuple[RiskLevel, bool]:
    """Final level given the model on real data and on the worst case for missing hours.

    Positive evidence (moderate/high from the data actually received) stands. A none/low result
    becomes UNKNOWN when the missing hours, if wet, could have given a higher level.
    Returns (level, partial) where partial says missing hours mattered.
    """
    if worst is None or actual.level.rank >= RiskLevel.MODERATE.rank:
        return actual.level, worst is not None and worst.level.rank > actual.level.rank
    if worst.level.rank > actual.level.rank:
        return RiskLevel.UNKNOWN, True
    return actual.level, False


def nearby_matches(
    diagnoses: Sequence[NearbyDiagnosis], disease_key: str, day: date
) -> list[NearbyDiagnosis]:
    """Confirmed diagnoses of this disease near enough in space and time to matter."""
    return [
        d
        for d in diagnoses
        if d.confirmed
        and d.label == disease_key
        and d.distance_km <= NEARBY_RADIUS_KM
        and day - timedelta(days=NEARBY_MAX_AGE_DAYS) <= d.observed <= day
    ]


def raise_for_nearby(level: RiskLevel) -> RiskLevel:
    """One step up; none/low/unknown become moderate, moderate becomes high."""
    if level is RiskLevel.HIGH:
        return level
    if level is RiskLevel.MODERATE:
        return RiskLevel.HIGH
    return RiskLevel.MODERATE


def finish(
    *,
    field_id: str,
    disease_key: str,
    day: date,
    model: str,
    actual: ModelOutput,
    worst: ModelOutput | None,
    coverage: Coverage,
    nearby: Sequence[NearbyDiagnosis] = (),
) -> DiseaseRisk:
    """Apply the coverage rule and nearby diagnoses, and write the bilingual text and tasks."""
    info = disease_info(disease_key)
    names: dict[str, str] = {lang: words(info["names"], lang) for lang in LANGS}
    title = {lang: name[:1].upper() + name[1:] for lang, name in names.items()}
    level, partial = combine_with_coverage(actual, worst)
    notes: list[Text] = []
    if not coverage.complete:
        notes.append(
            message("disease.partial", covered=coverage.covered_hours, expected=coverage.expected_hours)
        )
    matches = nearby_matches(nearby, disease_key, day)
    raised = False
    if matches:
        new_level = raise_for_nearby(level)
        raised = new_level is not level
        level = new_level
        notes.append(
            message(
                "disease.nearby",
                count=len(matches),
                disease=names,
                radius_km=Num(NEARBY_RADIUS_KM, 0),
            )
        )
    text = message(
        "disease.level",
        disease=title,
        level=level_text(level.value),
        score=actual.score,
    )
    tasks: tuple[Task, ...] = ()
    if level is RiskLevel.HIGH:
        tasks = (
            Task(
                "scout_photo",
                field_id,
                disease_key,
                day,
                message("task.scout", disease=names),
            ),
        )
    details = dict(actual.details)
    details["partial_data"] = partial
    return DiseaseRisk(
        field_id=field_id,
        disease_key=disease_key,
        day=day,
        level=level,
        score=actual.score,
        model=model,
        coverage=coverage,
        driving_hours=actual.driving_hours,
        details=details,
        text=text,
        notes=tuple(notes),
        tasks=tasks,
        nearby_raised=raised,
    )
