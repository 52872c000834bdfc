"""Cucurbit downy mildew (Pseudoperonospora cubensis) on cucumber.

Rule derived from Cohen 1977 (infection needs 2 h of wetness at 20 °C, 6 h at 10-15 °C,
12 h at 5-10 °C; optimum 15-22 °C; little infection above ~25-28 °C): moderate risk when a
continuous wet period of >= 6 h has a mean temperature of 15-22 °C, high when it lasts >= 12 h.
This is a project rule built on the published response, not a published forecasting model.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.advisory.disease.common import ModelOutput, RiskLevel
from server.advisory.weather import DaySummary

OPTIMUM_C = (15.0, 22.0)
POSSIBLE_C = (5.0, 28.0)
MODERATE_WET_H = 6
HIGH_WET_H = 12
MIN_WET_H = 2


def evaluate(days: Sequence[DaySummary]) -> ModelOutput | None:
    """Risk for the last day from its longest wet run and the mean temperature of wet hours."""
    today = days[-1]
    if today.covered_hours == 0:
        return None
    run = today.longest_wet_run
    t = today.mean_temp_wet_c
    optimum = t is not None and OPTIMUM_C[0] <= t <= OPTIMUM_C[1]
    possible = t is not None and POSSIBLE_C[0] <= t <= POSSIBLE_C[1]
    if optimum and run >= HIGH_WET_H:
        level = RiskLevel.HIGH
    elif optimum and run >= MODERATE_WET_H:
        level = RiskLevel.MODERATE
    elif possible and run >= MIN_WET_H:
        level = RiskLevel.LOW
    else:
        level = RiskLevel.NONE
    return ModelOutput(
        level,
        float(run),
        today.wet_times,
        {"longest_wet_run_h": run, "mean_temp_wet_c": t, "optimum_temperature": optimum},
    )
