"""Irrigation advice: amounts, rain, sensor assimilation, missing data and AWD for paddy rice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from server.advisory import water_balance as wb
from server.advisory.irrigation import (
    Confidence,
    DailyWater,
    FieldSpec,
    PaddyObservation,
    Reason,
    advise_awd,
    advise_irrigation,
)

TODAY = date(2026, 3, 20)
# Tomato planted 1 January -> day 78 is mid-season, Kc 1.15. Loam FC 0.28 / WP 0.14, Zr 0.7 m
# (FAO-56 Table 22 lower bound) -> TAW 98 mm.
TOMATO = FieldSpec("F1", 500.0, "tomato", date(2026, 1, 1), wb.Soil(0.28, 0.14))


def dry_days(n: int, et0: float = 4.0) -> list[DailyWater]:
    return [DailyWater(TODAY - timedelta(days=i), et0, 0.0) for i in range(1, n + 1)]


def test_irrigate_amount_and_volume() -> None:
    # 8 dry days of ETc = 1.15 * 4 = 4.6 mm -> Dr 36.8; today +4.6 -> 41.4 mm.
    # p = 0.40 + 0.04 (5 - 4.6) = 0.416 -> RAW = 40.77 mm, so 41.4 >= RAW: irrigate.
    advice = advise_irrigation(TOMATO, dry_days(8), TODAY, today_et0_mm=4.0)
    assert advice.reason is Reason.IRRIGATE
    assert advice.depth_mm == pytest.approx(41.4, abs=0.05)
    assert advice.volume_m3 == pytest.approx(20.7, abs=0.05)  # 41.4 mm * 500 m2
    assert advice.numbers["taw_mm"] == pytest.approx(98.0)
    assert advice.numbers["raw_mm"] == pytest.approx(40.8, abs=0.05)
    assert "41,4 mm" in advice.text.get("vi") and "20,7 m³" in advice.text.get("vi")
    assert "41.4 mm" in advice.text.get("en") and "500 m²" in advice.text.get("en")
    assert advice.confidence is Confidence.MEDIUM  # no sensor
    assert any(c.key == "caveat.no_sensor" for c in advice.caveats)


def test_rain_expected() -> None:
    advice = advise_irrigation(TOMATO, dry_days(8), TODAY, today_et0_mm=4.0, forecast_rain_mm=50.0)
    assert advice.reason is Reason.NO_NEED_RAIN_EXPECTED
    assert advice.depth_mm == 0.0


def test_soil_wet_after_rain() -> None:
    history = dry_days(8)
    history[0] = DailyWater(TODAY - timedelta(days=1), 4.0, 30.0)  # 30 mm of rain yesterday
    advice = advise_irrigation(TOMATO, history, TODAY, today_et0_mm=4.0)
    assert advice.reason is Reason.NO_NEED_SOIL_WET


def test_sensor_assimilated_and_agreeing() -> None:
    # theta 0.25 -> Dr = 1000 (0.28 - 0.25) 0.7 = 21 mm; model 36.8 mm; threshold 28 mm: agree.
    reading = wb.SoilMoistureReading(0.25, calibrated=True)
    advice = advise_irrigation(TOMATO, dry_days(8), TODAY, today_et0_mm=4.0, sensor=reading)
    assert advice.reason is Reason.NO_NEED_SOIL_WET
    assert advice.numbers["depletion_source"] == "sensor"
    assert advice.numbers["depletion_mm"] == pytest.approx(21.0)
    assert advice.confidence is Confidence.HIGH
    assert "model_sensor_disagree" not in advice.flags


def test_sensor_model_disagreement_is_flagged() -> None:
    reading = wb.SoilMoistureReading(0.275, calibrated=True)  # Dr 3.5 mm vs model 36.8 mm
    advice = advise_irrigation(TOMATO, dry_days(8), TODAY, today_et0_mm=4.0, sensor=reading)
    assert "model_sensor_disagree" in advice.flags
    assert advice.confidence is Confidence.LOW
    assert any(c.key == "caveat.sensor_disagrees" for c in advice.caveats)


def test_flagged_sensor_falls_back_to_model() -> None:
    reading = wb.SoilMoistureReading(0.275, calibrated=True, flagged=True)
    advice = advise_irrigation(TOMATO, dry_days(8), TODAY, today_et0_mm=4.0, sensor=reading)
    assert advice.reason is Reason.IRRIGATE
    assert "sensor_unusable" in advice.flags
    assert advice.numbers["depletion_source"] == "model"


def test_missing_weather_without_sensor_refuses_amount() -> None:
    history = [DailyWater(TODAY - timedelta(days=i), None if i <= 5 else 4.0, None) for i in range(1, 9)]
    advice = advise_irrigation(TOMATO, history, TODAY, today_et0_mm=4.0)
    assert advice.reason is Reason.INSUFFICIENT_DATA
    assert advice.depth_mm == 0.0 and advice.confidence is Confidence.LOW
    assert "Không đủ dữ liệu" in advice.text.get("vi")


def test_every_refusal_says_what_is_missing_in_the_farmers_language() -> None:
    # Why: the refusal reason is part of the sentence the farmer reads; an English fragment in
    # the Vietnamese text ("... tưới: no ET0 for today") is what a farmer saw before.
    gap = [DailyWater(TODAY - timedelta(days=i), None if i <= 5 else 4.0, None) for i in range(1, 9)]
    no_weather = [DailyWater(TODAY - timedelta(days=i), None, None) for i in range(1, 9)]
    future = FieldSpec("F2", 500.0, "tomato", TODAY + timedelta(days=10), wb.Soil(0.28, 0.14))
    probe = wb.SoilMoistureReading(0.25, calibrated=True)
    cases = {
        "thiếu số liệu thời tiết 5 trong 7 ngày qua": advise_irrigation(TOMATO, gap, TODAY, today_et0_mm=4.0),
        "để tính lượng nước cây cần (ET0)": advise_irrigation(TOMATO, no_weather, TODAY, sensor=probe),
        "ruộng chưa trồng": advise_irrigation(future, dry_days(8), TODAY, today_et0_mm=4.0),
    }  # fmt: skip
    for vietnamese, advice in cases.items():
        assert advice.reason is Reason.INSUFFICIENT_DATA, advice
        vi, en = advice.text.get("vi"), advice.text.get("en")
        assert vietnamese in vi and vi.startswith("Không đủ dữ liệu"), vi
        assert en.startswith("Not enough data") and not any(c in en for c in "ảằệịốữ"), en


def test_missing_weather_with_sensor_still_advises() -> None:
    history = [DailyWater(TODAY - timedelta(days=i), None if i <= 5 else 4.0, None) for i in range(1, 9)]
    reading = wb.SoilMoistureReading(0.20, calibrated=True)  # Dr 56 mm
    advice = advise_irrigation(TOMATO, history, TODAY, today_et0_mm=4.0, sensor=reading)
    assert advice.reason is Reason.IRRIGATE
    assert advice.confidence is Confidence.LOW
    assert "missing_weather" in advice.flags


def test_estimated_et0_lowers_confidence() -> None:
    history = [DailyWater(d.day, 4.0, 0.0, et0_estimated=("radiation",)) for d in dry_days(8)]
    reading = wb.SoilMoistureReading(0.25, calibrated=True)
    advice = advise_irrigation(TOMATO, history, TODAY, today_et0_mm=4.0, sensor=reading)
    assert advice.confidence is Confidence.MEDIUM
    assert any(c.key == "caveat.et0_estimated" for c in advice.caveats)


def test_crop_without_kc_is_refused() -> None:
    lychee = FieldSpec("F2", 1000.0, "lychee", date(2026, 1, 1), wb.Soil(0.28, 0.14))
    assert advise_irrigation(lychee, dry_days(8), TODAY).reason is Reason.INSUFFICIENT_DATA


def test_paddy_needs_awd() -> None:
    rice = FieldSpec("R1", 1000.0, "rice", date(2026, 2, 1), wb.Soil(0.36, 0.22))
    with pytest.raises(ValueError):
        advise_irrigation(rice, dry_days(8), TODAY)


RICE = FieldSpec("R1", 1000.0, "rice", date(2026, 2, 1), wb.Soil(0.36, 0.22))


def test_awd_keep_flooded_after_transplanting_and_at_flowering() -> None:
    early = advise_awd(RICE, date(2026, 2, 10), PaddyObservation(water_level_cm=-20))
    assert early.reason is Reason.AWD_KEEP_FLOODED
    flowering = advise_awd(
        RICE, TODAY, PaddyObservation(water_level_cm=-20), flowering_date=TODAY + timedelta(days=5)
    )
    assert flowering.reason is Reason.AWD_KEEP_FLOODED and "trỗ bông" in flowering.text.get("vi")


def test_awd_irrigate_at_15_cm_below_surface() -> None:
    advice = advise_awd(RICE, TODAY, PaddyObservation(water_level_cm=-15.0), flowering_date=date(2026, 5, 1))
    assert advice.reason is Reason.AWD_IRRIGATE
    assert advice.depth_mm == pytest.approx(50.0)  # ponding to 5 cm
    assert advice.volume_m3 == pytest.approx(50.0)  # 50 mm on 1000 m2
    assert "ponding_volume_only" in advice.flags
    assert "-15,0 cm" in advice.text.get("vi")


def test_awd_wait_and_degraded_inputs() -> None:
    assert advise_awd(RICE, TODAY, PaddyObservation(water_level_cm=-8.0)).reason is Reason.AWD_WAIT
    theta = advise_awd(RICE, TODAY, PaddyObservation(theta=0.35, theta_saturation=0.50))
    assert theta.reason is Reason.AWD_IRRIGATE and theta.numbers["saturation_fraction"] == 0.7
    flagged = advise_awd(RICE, TODAY, PaddyObservation(water_level_cm=-30.0, level_flagged=True))
    assert flagged.reason is Reason.INSUFFICIENT_DATA
