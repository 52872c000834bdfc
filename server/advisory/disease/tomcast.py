"""TOM-CAST: daily disease severity values (DSV) for tomato early blight, Septoria and anthracnose.

DSV from wet hours and temperature (Madden et al. 1978 FAST, modified by Pitblado as TOM-CAST;
table as in the VIPS AlternariaModel). Choice documented here: the temperature is the mean
*during the wet hours*, as in the original TOM-CAST (VIPS uses the daily mean). Spray when the
DSV accumulated since the last spray reaches 20 (VIPS default; 15-20 is the warning band).
"""

from __future__ import annotations

from collections.abc import Sequence

from server.advisory.disease.common import ModelOutput, RiskLevel
from server.advisory.weather import DaySummary

# (lowest temp inclusive, highest temp exclusive, wet-hour upper bounds of DSV 0, 1, 2[, 3]).
DSV_TABLE: tuple[tuple[float, float, tuple[int, ...]], ...] = (
    (13.0, 18.0, (6, 15, 20)),  # 0-6 h: 0, 7-15: 1, 16-20: 2, >= 21: 3
    (18.0, 21.0, (3, 8, 15, 22)),  # 0-3: 0, 4-8: 1, 9-15: 2, 16-22: 3, >= 23: 4
    (21.0, 26.0, (2, 5, 12, 20)),  # 0-2: 0, 3-5: 1, 6-12: 2, 13-20: 3, >= 21: 4
    (26.0, 30.0, (3, 8, 15, 22)),  # 0-3: 0, 4-8: 1, 9-15: 2, 16-22: 3, >= 23: 4
)
#: Accumulated DSV that calls for a spray (VIPS default) and the start of the warning band.
SPRAY_THRESHOLD = 20
WARNING_THRESHOLD = 15


def daily_dsv(wet_hours: int, mean_temp_c: float | None) -> int:
    """DSV of one day; 0 below 13 °C, at or above 30 °C, or without wet hours."""
    if mean_temp_c is None or wet_hours <= 0:
        return 0
    for low, high, bounds in DSV_TABLE:
        if low <= mean_temp_c < high:
            return sum(1 for bound in bounds if wet_hours > bound)
    return 0


def evaluate(days: Sequence[DaySummary]) -> ModelOutput | None:
    """Accumulated DSV over ``days`` (since the last spray or season start; today last)."""
    if days[-1].covered_hours == 0:
        return None
    per_day = {d.day.isoformat(): daily_dsv(d.wet_hours, d.mean_temp_wet_c) for d in days}
    total = sum(per_day.values())
    if total >= SPRAY_THRESHOLD:
        level = RiskLevel.HIGH
    elif total >= WARNING_THRESHOLD:
        level = RiskLevel.MODERATE
    elif total > 0:
        level = RiskLevel.LOW
    else:
        level = RiskLevel.NONE
    driving = tuple(t for d in days if per_day[d.day.isoformat()] > 0 for t in d.wet_times)
    return ModelOutput(
        level,
        float(total),
        driving,
        {
            "dsv_today": per_day[days[-1].day.isoformat()],
            "dsv_accumulated": total,
            "dsv_by_day": per_day,
            "spray_threshold": SPRAY_THRESHOLD,
            "wet_hours_today": days[-1].wet_hours,
            "mean_temp_wet_c": days[-1].mean_temp_wet_c,
        },
    )
