"""Late blight (Phytophthora infestans) of potato and tomato: Hutton criteria and Wallin DSV.

Hutton criteria (AHDB, UK warning system since 2017): two consecutive days, each with minimum
temperature >= 10 °C and >= 6 hours with RH >= 90 %. Wallin / BLITECAST severity values from
hours with RH >= 90 % and their mean temperature; 18 DSV accumulated from emergence calls for
the first preventive fungicide (UW-Madison vegetable pathology).

The Hutton criteria were written for the UK, where humid days above 27 °C do not occur, so they
have no upper temperature. In the humid Red River delta summer they would fire on almost every
day while Wallin gives 0. A day therefore counts for Hutton only when its humid hours are no
warmer than the top of Wallin's favourable band, 80 °F (26.7 °C): Wallin (1962) and BLITECAST
(Krause, Massie & Hyre 1975, Plant Disease Reporter 59:95) give no severity value above it.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.advisory.disease.common import ModelOutput, RiskLevel, max_level
from server.advisory.weather import DaySummary

HUTTON_MIN_TEMP_C = 10.0
HUTTON_HUMID_HOURS = 6
#: Wallin's table in its own unit, degrees Fahrenheit (Wallin 1962; Krause et al. 1975): bands
#: 45-53, 54-59 and 60-80 °F read as [45, 54), [54, 60) and [60, 80] so no temperature falls
#: between them; (lowest °F, band ends below °F, upper bounds of humid hours for DSV 0, 1, ...).
#: Comparing in °C rounded to 0.1 put exactly 53 °F (11.67 °C) in the wrong band and exactly
#: 80 °F (26.67 °C) outside the table.
WALLIN_TABLE_F: tuple[tuple[float, float, tuple[int, ...]], ...] = (
    (45.0, 54.0, (15, 18, 21)),  # 16-18 h: 1, 19-21: 2, 22-24: 3
    (54.0, 60.0, (12, 15, 18, 21)),  # 13-15: 1, 16-18: 2, 19-21: 3, 22-24: 4
    (60.0, 80.0, (9, 12, 15, 18)),  # 10-12: 1, 13-15: 2, 16-18: 3, 19-24: 4 (80 °F included)
)
WALLIN_TOP_F = 80.0
WALLIN_ACTION_THRESHOLD = 18
#: Upper temperature of the humid hours of a Hutton day: the top of Wallin's table, 80 °F.
HUTTON_MAX_HUMID_TEMP_C = (WALLIN_TOP_F - 32.0) / 1.8


def fahrenheit(temp_c: float) -> float:
    """°C to °F, rounded to 1e-6 °F so a value given as exactly 53 or 80 °F stays exact."""
    return round(temp_c * 1.8 + 32.0, 6)


def wallin_dsv(humid_hours: int, mean_temp_c: float | None) -> int:
    """Wallin severity value of one day from RH >= 90 % hours and their mean temperature."""
    if mean_temp_c is None or humid_hours <= 0:
        return 0
    t = fahrenheit(mean_temp_c)
    for low, below, bounds in WALLIN_TABLE_F:
        if low <= t < below or (below == WALLIN_TOP_F and t == WALLIN_TOP_F):
            return sum(1 for bound in bounds if humid_hours > bound)
    return 0


def hutton_day(day: DaySummary) -> bool:
    """One day meeting the Hutton conditions, with humid hours no warmer than 80 °F (see above)."""
    return (
        day.tmin_c is not None
        and day.tmin_c >= HUTTON_MIN_TEMP_C
        and day.humid_hours >= HUTTON_HUMID_HOURS
        and day.mean_temp_humid_c is not None
        and fahrenheit(day.mean_temp_humid_c) <= WALLIN_TOP_F
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
            "hutton_max_humid_temp_c": round(HUTTON_MAX_HUMID_TEMP_C, 1),
        },
    )
