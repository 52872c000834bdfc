"""Model fixes of issue 17, each against its cited value: Wallin's °F cells, Hutton's upper
temperature, perennial cycles (FAO-56 Table 11), today's Kc climate adjustment (FAO-56 Eq. 62),
the rice-blast night rule's wet hours and the clear-sky radiation limit (FAO-56 Eq. 37)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from server.advisory import kc, plausibility, solar
from server.advisory import water_balance as wb
from server.advisory.disease import late_blight, rice
from server.advisory.disease.common import RiskLevel
from server.advisory.disease.risk import assess_disease
from server.advisory.errors import AdvisoryInputError
from server.advisory.irrigation import DailyWater, FieldSpec, advise_irrigation
from server.advisory.weather import DaySummary, summarise_day
from tests.advisory.test_disease import DAY, day_records, wet_hours_profile


def celsius(f: float) -> float:
    return (f - 32.0) / 1.8


# --- Wallin (1962) / BLITECAST (Krause et al. 1975): the table is in whole °F ---------------------


@pytest.mark.parametrize(
    ("fahrenheit", "hours", "dsv"),
    [
        (53, 15, 0), (53, 16, 1), (53, 19, 2), (53, 22, 3),  # 45-53 °F row, 53 °F included
        (54, 13, 1), (59, 22, 4),  # 54-59 °F row
        (80, 9, 0), (80, 10, 1), (80, 19, 4),  # 60-80 °F row, 80 °F included
        (44.9, 24, 0), (80.2, 24, 0),  # outside the table
    ],
)  # fmt: skip
def test_wallin_cells_at_the_band_edges(fahrenheit: float, hours: int, dsv: int) -> None:
    assert late_blight.wallin_dsv(hours, celsius(fahrenheit)) == dsv


# --- Hutton needs humid hours no warmer than Wallin's top (80 °F = 26.7 °C) --------------------------


def test_hot_humid_delta_nights_are_not_a_hutton_period() -> None:
    """Tmin 27.5 / Tmax 33 °C after two humid nights: the case that rated HIGH all summer."""
    temps = [27.5 if h < 8 else 33.0 for h in range(24)]  # the 8 humid hours are the warm night
    humid = wet_hours_profile(8)
    hours = day_records(DAY - timedelta(days=1), temps, humid) + day_records(DAY, temps, humid)
    risk = assess_disease("P1", "late_blight", hours, DAY, since=DAY - timedelta(days=1))
    assert not risk.details["hutton_today"] and not risk.details["hutton_period"]
    assert risk.details["wallin_dsv_today"] == 0
    assert risk.level is RiskLevel.NONE
    assert risk.details["hutton_max_humid_temp_c"] == pytest.approx(26.7)


def test_cool_humid_nights_are_still_a_hutton_period() -> None:
    humid = wet_hours_profile(8)
    hours = day_records(DAY - timedelta(days=1), 18.0, humid) + day_records(DAY, 18.0, humid)
    risk = assess_disease("P1", "late_blight", hours, DAY, since=DAY - timedelta(days=1))
    assert risk.details["hutton_period"] and risk.level is RiskLevel.HIGH


# --- Perennials continue by year (FAO-56 Table 11) --------------------------------------------------


def test_citrus_starts_its_second_year_instead_of_ending() -> None:
    citrus = kc.get_crop("citrus")
    assert citrus.season_days == 365  # 60 + 90 + 120 + 95
    day_400 = kc.kc_on_day(citrus, 400)  # year 2, day 35: initial stage again
    assert day_400.stage is kc.Stage.INITIAL and day_400.kc == pytest.approx(0.70)
    assert kc.cycle_position(citrus, 400).year == 2
    assert kc.kc_on_day(citrus, 365 * 5 + 200).stage is kc.Stage.MID  # an orchard of 6 years
    assert kc.growth_stage(citrus, 10_000) is not kc.Stage.ENDED


def test_banana_continues_as_its_ratoon_crop() -> None:
    banana = kc.get_crop("banana")
    assert banana.season_days == 390  # 1st year, FAO-56 Table 11
    second = kc.cycle_position(banana, 390)
    assert second.crop.key == "banana_ratoon" and second.day_in_cycle == 0 and second.year == 2
    assert kc.kc_on_day(banana, 390).kc == pytest.approx(1.0)  # Kc ini of the 2nd year (Table 12)
    assert kc.kc_on_day(banana, 390 + 365 + 200).kc == pytest.approx(1.2)  # year 3, mid stage
    assert kc.growth_stage(kc.get_crop("tomato"), 400) is kc.Stage.ENDED  # annuals still end


# --- Today's Kc gets the same Eq. 62 adjustment as the history days ----------------------------------


def test_todays_kc_is_climate_adjusted_like_history_days() -> None:
    today = date(2026, 3, 20)
    tomato = FieldSpec("F1", 500.0, "tomato", date(2026, 1, 1), wb.Soil(0.28, 0.14))  # day 78: mid
    days = [DailyWater(today - timedelta(days=i), 4.0, 0.0, u2_m_s=1.0, rh_min_pct=80.0) for i in range(1, 8)]
    crop = kc.get_crop("tomato")
    assert crop.h_max_m is not None and crop.kc_mid is not None
    # FAO-56 Eq. 62: 1.15 + [0.04 (1 - 2) - 0.004 (80 - 45)] (h/3)^0.3 — lower in humid, calm air.
    expected = 1.15 + (0.04 * (1.0 - 2.0) - 0.004 * (80.0 - 45.0)) * (crop.h_max_m / 3.0) ** 0.3
    from_history = advise_irrigation(tomato, days, today, today_et0_mm=4.0)
    assert from_history.numbers["kc"] == pytest.approx(expected, abs=0.001)
    forecast = advise_irrigation(
        tomato, days, today, today_et0_mm=4.0, today_u2_m_s=2.0, today_rh_min_pct=45.0
    )
    assert forecast.numbers["kc"] == pytest.approx(1.15, abs=0.001)  # the reference climate: no change
    no_climate = [DailyWater(d.day, d.et0_mm, d.rain_mm) for d in days]
    assert advise_irrigation(tomato, no_climate, today, today_et0_mm=4.0).numbers["kc"] == pytest.approx(1.15)


# --- Rice blast: the night rule needs the wet period, not one humid hour ------------------------------


def _week(wet_hours: int) -> list[DaySummary]:
    start = DAY - timedelta(days=6)
    days = []
    for i in range(7):
        day = start + timedelta(days=i)
        days.append(summarise_day(day, day_records(day, 22.0, wet_hours_profile(wet_hours))))
    return days


def test_blast_night_rule_needs_more_than_ten_wet_hours() -> None:
    one_hour = rice.evaluate_blast(_week(1))
    assert one_hour is not None and one_hour.details["night_temperature_rule"] is False
    assert one_hour.level is not RiskLevel.HIGH
    eleven = rice.evaluate_blast(_week(11))
    assert (
        eleven is not None
        and eleven.details["night_temperature_rule"] is True
        and eleven.level is RiskLevel.HIGH
    )


# --- Radiation above the clear-sky maximum (FAO-56 Eq. 37, +10 %) -------------------------------------


def test_rs_above_clear_sky_is_refused_with_tolerance() -> None:
    day = date(2026, 12, 21)
    ra = solar.extraterrestrial_radiation(21.0, day.timetuple().tm_yday)
    rso = (0.75 + 2e-5 * 10.0) * ra  # FAO-56 Eq. 37 at 10 m
    assert plausibility.clear_sky_max(21.0, day, 10.0) == pytest.approx(rso)
    plausibility.check_radiation(rso * 1.09, 21.0, day, 10.0)  # within a moderate pyranometer's 10 %
    with pytest.raises(AdvisoryInputError, match="clear-sky maximum"):
        plausibility.check_radiation(rso * 1.11, 21.0, day, 10.0)
    with pytest.raises(AdvisoryInputError, match="Rs 45"):  # the case: 45 MJ on 21 December
        plausibility.check_radiation(45.0, 21.0, day, 10.0)


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"tmax_c": 20.0, "tmin_c": 25.0}, "Tmin 25 °C is above Tmax 20 °C"),
        ({"rh_max": 101.0}, "RHmax 101 % is above 100 %"),
        ({"wind_m_s": -0.5}, "wind speed -0.5 m/s is below 0 m/s"),
        ({"rh_min": float("nan")}, "RHmin is not a finite number"),
    ],
)
def test_impossible_days_are_refused_in_one_sentence(values: dict[str, float], needle: str) -> None:
    with pytest.raises(AdvisoryInputError) as caught:
        plausibility.check_day(date(2026, 6, 1), 21.0, 10.0, values)
    assert needle in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(AdvisoryInputError, match="latitude 91 ° is above 90 °"):
        plausibility.check_day(date(2026, 6, 1), 91.0, 10.0, {})
