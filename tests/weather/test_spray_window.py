"""The advice built on the forecast, on the replayed answers: hold irrigation before rain, good hours
to spray (wind, rain-free hours after, heat, daylight) and the PHI of the planned product against
the planned harvest and the field's market, and disease risk ahead from the existing models."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from server.advisory.forecast_risk import (
    ForecastHour,
    daily_outlook,
    rain_ahead,
    risk_ahead,
)
from server.advisory.i18n import message
from server.advisory.irrigation import Confidence, IrrigationAdvice, Reason
from server.advisory.irrigation_plan import Method, plan
from server.advisory.spray_window import (
    RAIN_FREE_HOURS,
    TEMP_MAX_C,
    WIND_MAX_M_S,
    Planned,
    spray_windows,
)
from server.weather import openmeteo
from tests.weather.replay import fixture

DAY = date(2026, 12, 4)


def hours(name: str) -> list[ForecastHour]:
    return openmeteo.parse(fixture(name, first_day=DAY))


def at(d: int, h: int) -> datetime:
    return datetime(2026, 12, 4, h) + timedelta(days=d)


def test_heavy_likely_rain_is_counted_for_the_irrigation_plan() -> None:
    rain = rain_ahead(hours("wet"), at(0, 10))
    assert rain is not None
    assert rain.next_24h.rain_mm == pytest.approx(8 * 1.8 + 6 * 1.2)  # 13-21 h today, 01-07 h tomorrow
    assert rain.next_24h.probability_pct == 85 and rain.next_24h.hours_covered == 24
    assert rain.next_48h.rain_mm >= rain.next_24h.rain_mm
    counted = rain.for_plan()
    assert counted.next_24h_mm == 21.6 and counted.next_48h_mm == 21.6
    # the irrigation plan (its one home) holds today's watering for it
    advice = IrrigationAdvice(
        "3",
        DAY,
        Reason.IRRIGATE,
        Confidence.HIGH,
        message("irrigation.insufficient_data", missing="-"),
        depth_mm=12.0,
    )
    held = plan(
        advice, area_m2=500, method=Method.FURROW, soil_texture="clay_loam", root_depth_m=0.5, rain=counted
    )
    assert held.status == "hold_for_rain"
    dry_rain = rain_ahead(hours("dry"), at(0, 6))
    assert dry_rain is not None
    dry = plan(
        advice,
        area_m2=500,
        method=Method.FURROW,
        soil_texture="clay_loam",
        root_depth_m=0.5,
        rain=dry_rain.for_plan(),
    )
    assert dry.status == "irrigate"
    # once the front has passed, nothing is counted
    after = rain_ahead(hours("wet"), at(1, 8))
    assert after is not None and after.for_plan().next_24h_mm == 0


def test_unlikely_rain_is_not_counted() -> None:
    t = at(0, 0)
    unlikely = [ForecastHour(t + timedelta(hours=i), 25, 80, 1.0, 40, 1) for i in range(30)]
    got = rain_ahead(unlikely, t)
    assert got is not None and got.next_24h.rain_mm == 24 and got.for_plan().next_24h_mm == 0.0
    no_prob = [ForecastHour(h.time, 25, 80, 1.0, None, 1) for h in unlikely]  # amount alone: counted
    assert rain_ahead(no_prob, t).for_plan().next_24h_mm == 24.0  # type: ignore[union-attr]
    assert rain_ahead(unlikely, t + timedelta(days=3)) is None  # nothing ahead: no forecast


def test_spray_windows_skip_wind_rain_heat_and_night() -> None:
    windows, blocked = spray_windows(hours("dry"), at(0, 6))
    spans = [(w.start, w.end) for w in windows]
    # day 0: 07-13 calm and dry; 13-16 windy (> 4.5 m/s); 16-18 again; night after
    assert spans[0] == (at(0, 7), at(0, 13)) and spans[1] == (at(0, 16), at(0, 18))
    # day 1: rain falls 18-20, so a spray needs to end 6 h before: hours from 12 on are out
    assert spans[2] == (at(1, 7), at(1, 12))
    # day 2: 31-32 degC at 12-14 is too hot
    assert spans[3:5] == [(at(2, 7), at(2, 12)), (at(2, 14), at(2, 18))]
    assert all(w.wind_max_m_s <= WIND_MAX_M_S and w.temp_max_c <= TEMP_MAX_C for w in windows)
    assert blocked["wind"] == 3 and blocked["heat"] == 2 and blocked["rain"] >= RAIN_FREE_HOURS
    assert all(w.phi is None for w in windows)  # no product chosen: nothing to check


def test_the_end_of_the_forecast_is_unknown_not_good() -> None:
    hs = hours("dry")
    cut = [h for h in hs if h.time < at(1, 14)]  # the forecast stops 14:00 on day 1
    windows, blocked = spray_windows(cut, at(1, 6))
    assert [(w.start, w.end) for w in windows] == [(at(1, 7), at(1, 8))]  # 08:00 + 6 h reaches the end
    assert blocked["unknown"] >= 5


def test_a_window_that_would_run_the_phi_past_the_planned_harvest_is_flagged_for_the_market() -> None:
    plan = Planned("3", "tomato", "EU", None, label_phi_days=7, harvest_on=DAY + timedelta(days=8))
    windows, _ = spray_windows(hours("dry"), at(0, 6), plan)
    by_day = {w.start.date(): w.phi or {} for w in windows}
    assert by_day[DAY]["flag"] is None and by_day[DAY]["safe_from"] == "2026-12-11"
    late = by_day[DAY + timedelta(days=2)]
    assert late["flag"] == "phi_past_harvest" and late["market"] == "EU"
    assert late["safe_from"] == "2026-12-13" and late["harvest_on"] == "2026-12-12"


def test_an_unknown_phi_is_flagged_never_guessed() -> None:
    plan = Planned("3", "tomato", "VN", "dithane-m45-80wp", None, DAY + timedelta(days=30))
    windows, _ = spray_windows(hours("dry"), at(0, 6), plan)
    phis = [w.phi for w in windows]
    if all(p and p["phi_days"] is None for p in phis):  # the catalogue has no PHI for it yet
        assert all(p and p["flag"] == "phi_unknown" for p in phis)
    else:  # once the catalogue fills it in, the harvest a month away is fine
        assert all(p and p["flag"] is None for p in phis)


def test_disease_risk_ahead_runs_the_existing_models_on_forecast_hours() -> None:
    wet = hours("wet")
    got = risk_ahead("3", "tomato", [], wet, DAY)
    assert [d for d, _ in got] == [DAY + timedelta(days=i) for i in (1, 2, 3)]
    assert {r.disease_key for r in got[0][1]} == {"early_blight", "late_blight"}
    levels = {r.level.value for _, rs in got for r in rs}
    assert levels <= {"none", "low", "moderate", "high", "unknown"}
    # days the forecast does not reach are not made up
    assert [d for d, _ in risk_ahead("3", "tomato", [], [h for h in wet if h.time < at(2, 0)], DAY)] == [
        DAY + timedelta(days=1)
    ]


def test_daily_outlook() -> None:
    days = daily_outlook(hours("wet"), DAY, 4)
    assert [d["day"] for d in days] == ["2026-12-04", "2026-12-05", "2026-12-06", "2026-12-07"]
    assert days[0]["rain_mm"] == pytest.approx(8 * 1.8) and days[0]["rain_probability_pct"] == 85
    assert days[3]["hours"] == 23  # the last stamp only closes the last hour's rain


def test_wind_is_judged_at_spray_height_and_night_without_a_day_flag() -> None:
    t = at(0, 0)
    # no is_day from the API: 07:00-17:00 are daylight; 10 m wind 4.5 m/s is 3.4 m/s at 2 m (calm
    # enough), 5.0 m/s is 3.7 m/s (too windy) by FAO-56 Eq. 47
    hs = [
        ForecastHour(t + timedelta(hours=i), 22.0, 70.0, 0.0, 0.0, 5.0 if i % 24 == 12 else 4.5)
        for i in range(60)
    ]
    windows, blocked = spray_windows(hs, t)
    assert [(w.start, w.end) for w in windows[:2]] == [(at(0, 7), at(0, 12)), (at(0, 13), at(0, 17))]
    assert blocked["wind"] == 2 and windows[0].wind_max_m_s == pytest.approx(3.37, abs=0.01)
