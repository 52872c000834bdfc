"""FAO-56 Chapter 3 building blocks against the paper's worked examples."""

from __future__ import annotations

import math

import pytest

from server.advisory import meteo, solar


def test_example_2_pressure_and_gamma_at_1800_m() -> None:
    # FAO-56 Example 2: z = 1800 m -> P = 81.8 kPa, gamma = 0.054 kPa/°C.
    p = meteo.atmospheric_pressure(1800)
    assert p == pytest.approx(81.8, abs=0.05)
    assert meteo.psychrometric_constant(p) == pytest.approx(0.054, abs=0.0005)


def test_example_3_mean_saturation_vapour_pressure() -> None:
    # FAO-56 Example 3: Tmax 24.5, Tmin 15 -> e°(Tmax) 3.075, e°(Tmin) 1.705, es 2.39 kPa.
    assert meteo.sat_vapour_pressure(24.5) == pytest.approx(3.075, abs=0.001)
    assert meteo.sat_vapour_pressure(15.0) == pytest.approx(1.705, abs=0.001)
    assert meteo.mean_sat_vapour_pressure(24.5, 15.0) == pytest.approx(2.39, abs=0.005)


def test_example_5_ea_from_relative_humidity() -> None:
    # FAO-56 Example 5: Tmin 18, Tmax 25, RHmax 82, RHmin 54 -> ea 1.70 (Eq. 17),
    # 1.69 from RHmax only (Eq. 18), 1.78 from RHmean 68 % (Eq. 19).
    assert meteo.ea_from_rh_max_min(18, 25, 82, 54) == pytest.approx(1.70, abs=0.005)
    assert meteo.ea_from_rh_max(18, 82) == pytest.approx(1.69, abs=0.005)
    assert meteo.ea_from_rh_mean(18, 25, 68) == pytest.approx(1.78, abs=0.005)


def test_example_20_ea_from_tmin() -> None:
    # FAO-56 Example 20 (Lyon, July, temperature only): ea = e°(14.8) = 1.68 kPa (Eq. 48).
    assert meteo.ea_from_tmin(14.8) == pytest.approx(1.68, abs=0.005)
    assert meteo.ea_from_tmin(14.8, arid=True) < meteo.ea_from_tmin(14.8)


def test_example_17_slope() -> None:
    # FAO-56 Example 17 (Bangkok, April): Tmean 30.2 -> Delta 0.246 kPa/°C.
    assert meteo.slope_sat_vapour_pressure(30.2) == pytest.approx(0.246, abs=0.0005)


def test_example_14_wind_at_10_m() -> None:
    # FAO-56 Example 14: 3.2 m/s at 10 m -> 2.4 m/s at 2 m (factor 0.748).
    assert meteo.wind_speed_2m(3.2, 10) == pytest.approx(2.4, abs=0.01)
    assert meteo.wind_speed_2m(1.0, 10) == pytest.approx(0.748, abs=0.001)
    assert meteo.wind_speed_2m(3.0, 2) == 3.0
    with pytest.raises(ValueError):
        meteo.wind_speed_2m(3.0, 0.05)


def test_example_8_extraterrestrial_radiation() -> None:
    # FAO-56 Example 8: 20°S, 3 September (J 246): dr 0.985, delta 0.120 rad, ws 1.527 rad, Ra 32.2 MJ.
    assert solar.inverse_relative_distance(246) == pytest.approx(0.985, abs=0.0005)
    dec = solar.solar_declination(246)
    assert dec == pytest.approx(0.120, abs=0.0005)
    assert solar.sunset_hour_angle(math.radians(-20), dec) == pytest.approx(1.527, abs=0.0005)
    assert solar.extraterrestrial_radiation(-20, 246) == pytest.approx(32.2, abs=0.05)


def test_example_9_daylight_hours() -> None:
    # FAO-56 Example 9: same place and day -> N = 11.7 h.
    assert solar.daylight_hours(-20, 246) == pytest.approx(11.7, abs=0.05)


def test_example_10_rs_from_sunshine() -> None:
    # FAO-56 Example 10 (Rio de Janeiro, May): Ra 25.1, N 10.9, n 7.1 -> Rs 14.5 MJ m-2 d-1.
    # The book rounds 14.45 to 14.5.
    assert solar.rs_from_sunshine(25.1, 7.1, 10.9) == pytest.approx(14.45, abs=0.005)


def test_example_11_12_net_radiation_terms() -> None:
    # FAO-56 Examples 11-12: Tmax 25.1, Tmin 19.1, ea 2.1, Rs 14.5, Rso 18.8 -> Rnl 3.5, Rns 11.1 (printed).
    assert solar.net_longwave_daily(25.1, 19.1, 2.1, 14.5, 18.8) == pytest.approx(3.5, abs=0.05)
    assert solar.net_shortwave(14.5) == pytest.approx(11.1, abs=0.1)


def test_example_15_rs_from_temperature() -> None:
    # FAO-56 Example 15 (Lyon, July): Ra 40.6, Tmax 26.6, Tmin 14.8, kRs 0.16 -> Rs 22.3.
    assert solar.rs_from_temperature(40.6, 26.6, 14.8, 0.16) == pytest.approx(22.3, abs=0.05)


def test_example_18_clear_sky() -> None:
    # FAO-56 Example 18: Ra 41.09 at 100 m -> Rso 30.90.
    assert solar.clear_sky_radiation(41.09, 100) == pytest.approx(30.90, abs=0.005)


def test_rs_rso_limited_to_one() -> None:
    assert solar.relative_shortwave(40.0, 30.0) == 1.0
    assert solar.relative_shortwave(1.0, 0.0) == 1.0
