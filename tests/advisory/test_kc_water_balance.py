"""Crop coefficients (FAO-56 Tables 11/12, Eqs. 62/66) and the root-zone balance (FAO-56 Ch. 8)."""

from __future__ import annotations

import pytest

from server.advisory import kc
from server.advisory import water_balance as wb


def test_crop_table_has_region_crops_with_names_and_sources() -> None:
    table = kc.crops()
    for key in (
        "rice",
        "maize",
        "tomato",
        "cabbage",
        "cucumber",
        "chili",
        "potato",
        "soybean",
        "groundnut",
        "citrus",
        "banana",
        "lychee",
        "longan",
    ):
        assert key in table
    tomato = table["tomato"]
    assert (tomato.kc_ini, tomato.kc_mid, tomato.kc_end) == (0.60, 1.15, 0.80)  # FAO-56 Table 12
    assert tomato.names["vi"] == "cà chua"
    assert "Table 12" in tomato.source
    assert not table["lychee"].has_kc  # no FAO-56 row: refused, not invented
    assert kc.get_crop("Dưa chuột").key == "cucumber"
    assert kc.get_crop("rice").paddy
    with pytest.raises(KeyError):
        kc.get_crop("durian")


def test_kc_curve_tomato_eq_66() -> None:
    tomato = kc.get_crop("tomato")  # stages 30/40/45/30 (FAO-56 Table 11, Mediterranean)
    assert kc.kc_on_day(tomato, 0).kc == 0.60
    assert kc.kc_on_day(tomato, 29).stage is kc.Stage.INITIAL
    # Development: 0.60 + 20/40 * (1.15 - 0.60) = 0.875.
    assert kc.kc_on_day(tomato, 50).kc == pytest.approx(0.875)
    assert kc.kc_on_day(tomato, 80).kc == pytest.approx(1.15)
    # Late: 1.15 + 15/30 * (0.80 - 1.15) = 0.975.
    assert kc.kc_on_day(tomato, 130).kc == pytest.approx(0.975)
    assert kc.kc_on_day(tomato, 145).stage is kc.Stage.ENDED
    assert kc.kc_on_day(tomato, -1).stage is kc.Stage.NOT_PLANTED


def test_kc_mid_climate_adjustment_eq_62() -> None:
    # Hand calculation of Eq. 62: 1.15 + [0.04 (1.5 - 2) - 0.004 (70 - 45)] (0.6 / 3)^0.3 = 1.0760.
    assert kc.climate_adjusted(1.15, 1.5, 70, 0.6) == pytest.approx(1.0760, abs=0.0001)
    # Reference climate: no change. Limits: u2 1-6 m/s, RHmin 20-80 %.
    assert kc.climate_adjusted(1.15, 2.0, 45, 0.6) == pytest.approx(1.15)
    assert kc.climate_adjusted(1.15, 0.2, 95, 0.6) == kc.climate_adjusted(1.15, 1.0, 80, 0.6)
    # Kc below 0.45 is not adjusted (FAO-56 Eq. 65 condition).
    assert kc.climate_adjusted(0.35, 4.0, 20, 2.0) == 0.35
    humid = kc.kc_on_day(kc.get_crop("tomato"), 80, u2_m_s=1.5, rh_min_pct=70)
    assert humid.climate_adjusted and humid.kc == pytest.approx(1.0760, abs=0.0001)


def test_kc_refused_without_source() -> None:
    with pytest.raises(ValueError):
        kc.kc_on_day(kc.get_crop("longan"), 10)


def test_taw_raw_ks_and_p() -> None:
    # Worked values used by another FAO-56 implementation's tests: FC 0.15, WP 0.06, Zr 1 m.
    soil = wb.Soil(theta_fc=0.15, theta_wp=0.06)
    taw = wb.total_available_water(soil, 1.0)
    assert taw == pytest.approx(90.0)
    assert wb.readily_available_water(taw, 0.5) == pytest.approx(45.0)
    assert wb.water_stress_coefficient(60.0, 30.0, 45.0) == pytest.approx(0.5)
    assert wb.water_stress_coefficient(60.0, 30.0, 20.0) == 1.0
    assert wb.adjusted_depletion_fraction(0.5, 8.0) == pytest.approx(0.38)
    assert wb.adjusted_depletion_fraction(0.1, 12.0) == 0.1
    assert wb.adjusted_depletion_fraction(0.75, 0.0) == 0.8


def test_daily_step_deep_percolation_and_bounds() -> None:
    # Heavy rain on a nearly full profile: Dr 10, rain 40, ETc 5 -> DP = 40 - 5 - 10 = 25, Dr 0 (Eqs. 85, 88).
    step = wb.daily_step(10.0, taw_mm=90, raw_mm=45, etc_mm=5.0, rain_mm=40.0)
    assert step.depletion_mm == 0.0 and step.deep_percolation_mm == pytest.approx(25.0)
    # Dry day under stress: Ks from Dr 67.5 with TAW 90, RAW 45 -> 0.5, ETc adj 2.5.
    dry = wb.daily_step(67.5, taw_mm=90, raw_mm=45, etc_mm=5.0)
    assert dry.ks == pytest.approx(0.5) and dry.depletion_mm == pytest.approx(70.0)
    assert wb.daily_step(89.0, taw_mm=90, raw_mm=45, etc_mm=50.0).depletion_mm <= 90.0


def test_soil_textures_and_eq_87() -> None:
    loam = wb.soil_for_texture("clay_loam")
    assert (loam.theta_fc, loam.theta_wp) == (0.36, 0.22)
    assert wb.depletion_from_theta(loam, 0.30, 0.5) == pytest.approx(30.0)
    assert wb.depletion_from_theta(loam, 0.40, 0.5) == 0.0  # wetter than FC
    with pytest.raises(ValueError):
        wb.Soil(theta_fc=0.1, theta_wp=0.2)


def test_assimilation_flags() -> None:
    soil = wb.Soil(0.28, 0.14)
    agree = wb.assimilate(30.0, wb.SoilMoistureReading(0.24, calibrated=True), soil, 0.7)
    assert agree.source == "sensor" and agree.depletion_mm == pytest.approx(28.0) and not agree.disagrees
    assert agree.threshold_mm == pytest.approx(28.0)  # 1000 * 0.04 * 0.7
    far = wb.assimilate(60.0, wb.SoilMoistureReading(0.27, calibrated=True), soil, 0.7)
    assert far.disagrees and far.difference_mm == pytest.approx(53.0)
    flagged = wb.assimilate(30.0, wb.SoilMoistureReading(0.27, calibrated=True, flagged=True), soil, 0.7)
    assert flagged.source == "model" and flagged.unusable_reason
    raw = wb.assimilate(30.0, wb.SoilMoistureReading(0.27, calibrated=False), soil, 0.7)
    assert raw.source == "model" and "calibrated" in (raw.unusable_reason or "")


def test_crop_et_eq_56() -> None:
    etc, kc_day = kc.crop_et(kc.get_crop("cabbage"), 70, 4.0)  # mid-season (25 + 35 <= 70 < 85)
    assert kc_day.stage is kc.Stage.MID and etc == pytest.approx(1.05 * 4.0)
