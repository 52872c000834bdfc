"""Late blight (Phytophthora infestans) of potato and tomato: Hutton criteria and Wallin DSV.

Hutton criteria (AHDB, UK warning system since 2017): two consecutive days, each with minimum
temperature >= 10 °C and >= 6 hours with RH >= 90 %. Wallin / BLITECAST severity values from
hours with RH >= 90 % and their mean temperature; 18 DSV accumulated from emergence calls for
the first preventive fungicide (UW-Madison vegetable pathology).
"""

from __future__ import annotations

from collections.abc import Sequence

from server.advisory.disease.common import ModelOutput, RiskLevel, max_level
from server.advisory.weather import DaySummary

HUTTON_MIN_TEMP_C = 10.0
HUTTON_HUMID_HOURS = 6
#: (lowest, highest temperature inclusive, rounded to 0.1 °C; upper bounds of humid hours for DSV 0, 1, ...).
WALLIN_TABLE: tuple[tuple[float, float, tuple[int, ...]], ...] = (
    (7.2, 11.6, (15, 18, 21)),  # 16-18 h: 1, 19-21: 2, 22-24: 3
    (11.7, 15.0, (12, 15, 18, 21)),  # 13-15: 1, 16-18: 2, 19-21: 3, 22-24: 4
    (15.1, 26.6, (9, 12, 15, 18)),  # 10-12: 1, 13-15: 2, 16-18: 3, 19-24: 4
)
WALLIN_ACTION_THRESHOLD = 18


def wallin_dsv(humid_hours: int, mean_temp_c: float | None) -> int:
    """Wallin severity value of one day from RH >= 90 % hours and their mean temperature."""
    if mean_temp_c is None or humid_hours <= 0:
        return 0
    t = round(mean_temp_c, 1)
    for low, high, bounds in WALLIN_TABLE:
        if low <= t <= high:
            return sum(1 for bound in bounds if humid_hours > bound)
    return 0


def hutton_day(day: DaySummary) -> bool:
    """One day meeting the Hutton conditions."""
    return (
        day.tmin_c is not None and day.tmin_c >= HUTTON_MIN_TEMP_C and day.humid_hours >= HUTTON_HUMID_HOURS
    )


def evaluate(days: Sequence[DaySummary]) -> ModelOutput | None:
    """Level for the last day: Hutton period (yesterday+today) and Wallin DSV since season/spray start."""
    today = days[-1]
    if today.covered_hours == 0:
        return None
    today_ok = hutton_day(today)
    yesterday_ok = len(days) >= 2 and hutton_day(days[-2])
    per_day = {d.day.isoformat(): wallin_dsv(d.humid_hours, d.mean_temp_humid_c) for d in days}
    total = sum(per_day.values())
    dsv_today = per_day[today.day.isoformat()]
    if today_ok and yesterday_ok:
        hutton_level = RiskLevel.HIGH
    elif today_ok:
        hutton_level = RiskLevel.MODERATE
    else:
        hutton_level = RiskLevel.NONE
    if total >= WALLIN_ACTION_THRESHOLD:
        wallin_level = RiskLevel.HIGH
    elif dsv_today >= 2:
        wallin_level = RiskLevel.MODERATE
    elif dsv_today >= 1:
        wallin_level = RiskLevel.LOW
    else:
        wallin_level = RiskLevel.NONE
    driving = tuple((days[-2].humid_times if yesterday_ok else ()) + today.humid_times)
    return ModelOutput(
        max_level(hutton_level, wallin_level),
        float(total),
        driving,
        {
            "hutton_period": today_ok and yesterday_ok,
            "hutton_today": today_ok,
            "hutton_yesterday": yesterday_ok,
            "humid_hours_today": today.humid_hours,
            "tmin_today_c": today.tmin_c,
            "wallin_dsv_today": dsv_today,
            "wallin_dsv_accumulated": total,
            "wallin_action_threshold": WALLIN_ACTION_THRESHOLD,
        },
    )
