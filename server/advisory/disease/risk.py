"""Run the disease models that apply to a field's crop for one day.

Each model is evaluated twice: on the data received, and with every missing hour assumed wet
and humid. If the missing hours could raise a none/low result, the level is UNKNOWN
(``common.combine_with_coverage``), so absent data never reads as low risk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta

from server.advisory.disease import downy_mildew, late_blight, rice, tomcast
from server.advisory.disease.common import (
    Coverage,
    DiseaseRisk,
    ModelOutput,
    NearbyDiagnosis,
    RiskLevel,
    disease_info,
    finish,
)
from server.advisory.weather import HOURS_PER_DAY, DaySummary, HourlyRecord, summarise_day
from server.advisory.wetness import RH_WET_THRESHOLD

Evaluator = Callable[[Sequence[DaySummary]], ModelOutput | None]

#: disease key -> (evaluator, days of history it needs when no season start is given, accumulates?)
MODELS: dict[str, tuple[Evaluator, int, bool]] = {
    "early_blight": (tomcast.evaluate, 14, True),
    "late_blight": (late_blight.evaluate, 14, True),
    "rice_blast": (rice.evaluate_blast, rice.BLAST_NIGHT_DAYS, False),
    "sheath_blight": (rice.evaluate_sheath_blight, 1, False),
    "bacterial_leaf_blight": (rice.evaluate_blb, 1, False),
    "downy_mildew": (downy_mildew.evaluate, 1, False),
}


def diseases_for_crop(crop_key: str) -> list[str]:
    """Disease keys whose models apply to ``crop_key``."""
    return [key for key in MODELS if crop_key in disease_info(key)["crops"]]


def assess_disease(
    field_id: str,
    disease_key: str,
    records: Sequence[HourlyRecord],
    day: date,
    *,
    since: date | None = None,
    nearby: Sequence[NearbyDiagnosis] = (),
    rh_threshold: float = RH_WET_THRESHOLD,
) -> DiseaseRisk:
    """Risk of one disease on ``day``; ``since`` = last spray or season start for accumulating models."""
    evaluator, history_days, accumulates = MODELS[disease_key]
    start = since if (since is not None and accumulates) else day - timedelta(days=history_days - 1)
    start = min(start, day)
    days = [start + timedelta(days=i) for i in range((day - start).days + 1)]
    if not accumulates and history_days > 1:
        days = days[-history_days:]
    summaries = [summarise_day(d, records, rh_threshold) for d in days]
    actual = evaluator(summaries)
    any_missing = any(s.missing_hours for s in summaries)
    worst = evaluator([s.worst_case() for s in summaries]) if any_missing else None
    if actual is None:
        actual = ModelOutput(RiskLevel.UNKNOWN, 0.0, (), {"reason": "no usable hours on this day"})
        worst = None
    coverage = Coverage(sum(s.covered_hours for s in summaries), HOURS_PER_DAY * len(summaries))
    details = dict(actual.details)
    details["window_start"] = days[0].isoformat()
    details["wetness_source"] = summaries[-1].wetness_source
    actual = ModelOutput(actual.level, actual.score, actual.driving_hours, details)
    return finish(
        field_id=field_id,
        disease_key=disease_key,
        day=day,
        model=disease_info(disease_key)["model"],
        actual=actual,
        worst=worst,
        coverage=coverage,
        nearby=nearby,
    )


def assess_field(
    field_id: str,
    crop_key: str,
    records: Iterable[HourlyRecord],
    day: date,
    *,
    since: date | None = None,
    nearby: Sequence[NearbyDiagnosis] = (),
    rh_threshold: float = RH_WET_THRESHOLD,
) -> list[DiseaseRisk]:
    """Risk of every modelled disease of the field's crop on ``day``."""
    recs = list(records)
    return [
        assess_disease(field_id, key, recs, day, since=since, nearby=nearby, rh_threshold=rh_threshold)
        for key in diseases_for_crop(crop_key)
    ]
