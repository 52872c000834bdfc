"""Daily and hourly ET0 against FAO-56 worked examples, and the missing-data rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from server.advisory.errors import AdvisoryInputError
from server.advisory.et0 import (
    DailyWeather,
    Et0Method,
    HourlyWeather,
    Site,
    daily_et0,
    hargreaves,
    hourly_et0,
    penman_monteith_daily,
)

BRUSSELS = Site(lat_deg=50.8, elevation_m=100)
# FAO-56 Example 18: Brussels, 6 July: Tmax 21.5, Tmin 12.3, RHmax 84, RHmin 63,
# wind 10 km/h at 10 m, 9.25 h sunshine.
BRUSSELS_DAY = DailyWeather(
    day=date(2026, 7, 6),
    tmax_c=21.5,
    tmin_c=12.3,
    rh_max=84,
    rh_min=63,
    wind_m_s=10 / 3.6,
    wind_height_m=10,
    sunshine_h=9.25,
)


def test_example_18_brussels_daily_with_intermediates() -> None:
    r = daily_et0(BRUSSELS_DAY, BRUSSELS)
    t = r.terms
    assert r.method is Et0Method.FAO56_PM
    assert r.estimated == ()
    # Intermediate values printed in FAO-56 Example 18.
    assert t.tmean_c == pytest.approx(16.9)
    assert t.delta_kpa_per_c == pytest.approx(0.122, abs=0.0005)
    assert t.pressure_kpa == pytest.approx(100.1, abs=0.05)
    assert t.gamma_kpa_per_c == pytest.approx(0.0666, abs=0.00005)
    assert t.u2_m_s == pytest.approx(2.078, abs=0.001)
    assert t.es_kpa == pytest.approx(1.997, abs=0.001)
    assert t.ea_kpa == pytest.approx(1.409, abs=0.001)
    assert t.ra_mj_m2 == pytest.approx(41.09, abs=0.005)
    assert t.daylight_hours == pytest.approx(16.1, abs=0.05)
    assert t.rs_mj_m2 == pytest.approx(22.07, abs=0.005)
    assert t.rso_mj_m2 == pytest.approx(30.90, abs=0.005)
    assert t.rns_mj_m2 == pytest.approx(16.99, abs=0.01)
    assert t.rnl_mj_m2 == pytest.approx(3.71, abs=0.005)
    assert t.rn_mj_m2 == pytest.approx(13.28, abs=0.005)
    # Book: ET0 = 3.9 mm/day (3.88 before rounding).
    assert r.et0_mm == pytest.approx(3.88, abs=0.005)


def test_example_17_bangkok_monthly_equation_6() -> None:
    # FAO-56 Example 17 (monthly, April): Rn 14.33, G 0.14, Tmean 30.2, u2 2, es 4.42, ea 2.85,
    # Delta 0.246, gamma 0.0674 -> ET0 5.72 mm/day.
    value = penman_monteith_daily(0.246, 0.0674, 14.33, 0.14, 30.2, 2.0, 4.42, 2.85)
    assert value == pytest.approx(5.72, abs=0.01)


def test_example_20_lyon_temperature_only() -> None:
    # FAO-56 Example 20: Lyon (45°43'N, 200 m), July, only Tmax 26.6 / Tmin 14.8:
    # ea from Tmin 1.68 kPa, u2 = 2 m/s, Rs from Eq. 50 (kRs 0.16) = 22.3 MJ (Example 15).
    r = daily_et0(DailyWeather(day=date(2026, 7, 15), tmax_c=26.6, tmin_c=14.8), Site(45.72, 200))
    assert set(r.estimated) == {"humidity", "wind", "radiation"}
    assert r.terms.ea_kpa == pytest.approx(1.68, abs=0.005)
    assert r.terms.u2_m_s == 2.0
    assert r.terms.ra_mj_m2 == pytest.approx(40.6, abs=0.1)
    assert r.terms.rs_mj_m2 == pytest.approx(22.3, abs=0.05)
    assert r.terms.pressure_kpa == pytest.approx(98.96, abs=0.01)
    # Our full chain from those book inputs (cross-checked by hand: Rn 13.48, ET0 4.56).
    assert r.et0_mm == pytest.approx(4.56, abs=0.02)


def test_missing_humidity_preference_order() -> None:
    base = DailyWeather(day=date(2026, 7, 6), tmax_c=21.5, tmin_c=12.3, sunshine_h=9.25, wind_m_s=2.0)
    rh_max_only = daily_et0(DailyWeather(**{**base.__dict__, "rh_max": 84}), BRUSSELS)
    assert "Eq. 18" in rh_max_only.sources["ea"]
    rh_mean = daily_et0(DailyWeather(**{**base.__dict__, "rh_mean": 73.5}), BRUSSELS)
    assert "Eq. 19" in rh_mean.sources["ea"]
    tdew = daily_et0(DailyWeather(**{**base.__dict__, "tdew_c": 10.0, "rh_mean": 50}), BRUSSELS)
    assert "Eq. 14" in tdew.sources["ea"]
    none = daily_et0(base, BRUSSELS)
    assert none.estimated == ("humidity",)


def test_radiation_from_temperature_is_capped_at_rso() -> None:
    w = DailyWeather(day=date(2026, 7, 6), tmax_c=40.0, tmin_c=5.0)
    r = daily_et0(w, Site(21.3, 20, krs=0.19))
    assert r.terms.rs_mj_m2 == pytest.approx(r.terms.rso_mj_m2)


def test_hargreaves_explicit_and_last_resort() -> None:
    # Eq. 52 by hand for Brussels: 0.0023 * (16.9 + 17.8) * sqrt(9.2) * 0.408 * 41.09 = 4.06 mm/day.
    assert hargreaves(21.5, 12.3, 41.09) == pytest.approx(4.06, abs=0.01)
    r = daily_et0(BRUSSELS_DAY, BRUSSELS, Et0Method.HARGREAVES)
    assert r.method is Et0Method.HARGREAVES and r.et0_mm == pytest.approx(4.06, abs=0.01)
    no_elev = daily_et0(BRUSSELS_DAY, Site(lat_deg=50.8))
    assert no_elev.method is Et0Method.HARGREAVES
    assert any("last resort" in n for n in no_elev.notes)


@pytest.mark.parametrize(
    "changes",
    [
        {"tmax_c": 10.0, "tmin_c": 12.0},
        {"rh_max": 101.0},
        {"rh_max": 50.0, "rh_min": 60.0},
        {"wind_m_s": -1.0},
        {"sunshine_h": 17.0},
        {"rs_mj_m2": -1.0},
    ],
)
def test_invalid_inputs_rejected(changes: dict[str, float]) -> None:
    with pytest.raises(AdvisoryInputError):
        daily_et0(DailyWeather(**{**BRUSSELS_DAY.__dict__, **changes}), BRUSSELS)


EX19_SITE = Site(lat_deg=16 + 13 / 60, elevation_m=8, lon_deg=-16.25, utc_offset_h=-1)


def test_example_19_hourly_afternoon() -> None:
    # FAO-56 Example 19, N'Diaye (Senegal), 1 October 14:00-15:00: T 38, RH 52, u2 3.3, Rs 2.450.
    r = hourly_et0(HourlyWeather(datetime(2026, 10, 1, 14), 38.0, 52.0, 2.450, 3.3), EX19_SITE)
    t = r.terms
    assert t.delta_kpa_per_c == pytest.approx(0.358, abs=0.0005)
    assert t.gamma_kpa_per_c == pytest.approx(0.0673, abs=0.00005)
    assert t.es_kpa == pytest.approx(6.625, abs=0.001)
    assert t.ea_kpa == pytest.approx(3.445, abs=0.001)
    assert t.ra_mj_m2 == pytest.approx(3.543, abs=0.001)
    assert t.rso_mj_m2 == pytest.approx(2.658, abs=0.001)
    assert t.rnl_mj_m2 == pytest.approx(0.137, abs=0.001)
    assert t.rn_mj_m2 == pytest.approx(1.749, abs=0.001)
    assert t.g_mj_m2 == pytest.approx(0.175, abs=0.001)
    assert r.et0_mm == pytest.approx(0.63, abs=0.005)


def test_example_19_hourly_night() -> None:
    # Same site 02:00-03:00: T 28, RH 90, u2 1.9, Rs 0, Rs/Rso assumed 0.8 -> Rn -0.100, G -0.050, ET0 0.00.
    r = hourly_et0(HourlyWeather(datetime(2026, 10, 1, 2), 28.0, 90.0, 0.0, 1.9), EX19_SITE, night_rs_rso=0.8)
    assert r.terms.ra_mj_m2 == 0.0
    assert r.terms.rn_mj_m2 == pytest.approx(-0.100, abs=0.001)
    assert r.terms.g_mj_m2 == pytest.approx(-0.050, abs=0.001)
    assert r.et0_mm == pytest.approx(0.0, abs=0.005)
    default = hourly_et0(HourlyWeather(datetime(2026, 10, 1, 2), 28.0, 90.0, 0.0, 1.9), EX19_SITE)
    assert "night_rs_rso" in default.estimated


def test_hourly_accepts_aware_datetimes() -> None:
    # 15:00 UTC is 14:00 at UTC-1, the afternoon hour of Example 19.
    aware = HourlyWeather(datetime(2026, 10, 1, 15, tzinfo=UTC), 38.0, 52.0, 2.450, 3.3)
    assert hourly_et0(aware, EX19_SITE).et0_mm == pytest.approx(0.63, abs=0.005)


def test_hourly_needs_longitude() -> None:
    with pytest.raises(AdvisoryInputError):
        hourly_et0(HourlyWeather(datetime(2026, 10, 1, 14), 38.0, 52.0, 2.45), Site(16.2, 8))
