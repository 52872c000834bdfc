"""GET /api/v1/fields/<id>/forecast through the real app, its forecast from a local replaying server:
the days, the rain hold, 3-day disease risk, spray windows with the PHI and the market, the source
and its age; validated query; another farmer's field unknown; no forecast configured or the API
down still answers, saying so."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from common.timezone import local_today
from server.farm.models import FieldProfile
from server.registry.plantings import Planting
from tests.mobile_api.conftest import FARMER_1, FARMER_3, login
from tests.mobile_api.seeding import seeded_app
from tests.weather.replay import Replay

TOMATO = 3  # "Vườn cà chua" of farmer 1


@pytest.fixture(scope="module")
def replay() -> Iterator[Replay]:
    r = Replay().start()
    yield r
    r.stop()


def app_with(tmp: Path, url: str) -> Flask:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RUONGSO_FORECAST_URL", url)
        return seeded_app(tmp, history_days=1)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, replay: Replay) -> Iterator[Flask]:
    a = app_with(tmp_path_factory.mktemp("forecast"), replay.url)
    yield a
    a.extensions["ruongso"].store.close()


def test_the_field_forecast_with_rain_hold_risk_and_spray_windows(app: Flask, replay: Replay) -> None:
    replay.answer = "wet"
    with app.extensions["ruongso"].db.session() as s:
        s.merge(FieldProfile(field_id=TOMATO, market="EU"))
        p = s.scalars(select(Planting).where(Planting.field_id == TOMATO)).first()
        if p is None:
            p = Planting(field_id=TOMATO, crop="tomato", sown_on=local_today() - timedelta(days=50))
            s.add(p)
        p.expected_harvest = local_today() + timedelta(days=3)
    farmer = login(app, FARMER_1)
    r = farmer.get(f"/api/v1/fields/{TOMATO}/forecast?phi_days=7")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["forecast"]["status"] == "fresh" and body["forecast"]["age_s"] == 0
    assert body["forecast"]["source"] == replay.url
    assert body["days"][0]["day"] == local_today().isoformat() and len(body["days"]) == 4
    assert body["rain"]["next_24h"]["hours_covered"] > 0 and body["rain"]["likely_pct"] == 60
    assert [d["day"] for d in body["risk"]] == [
        (local_today() + timedelta(days=i)).isoformat() for i in (1, 2, 3)
    ]
    assert {x["disease"] for x in body["risk"][0]["diseases"]} == {"early_blight", "late_blight"}
    spray = body["spray"]
    assert spray["limits"]["wind_max_m_s"] == 3.6 and spray["harvest_on"] == p.expected_harvest.isoformat()
    assert body["market"] == "EU" and body["market_names"]["vi"] == "Liên minh châu Âu"
    # every window ends the 7-day interval after the harvest 3 days away: flagged, for the EU market
    assert spray["windows"] and all(w["flagged"] for w in spray["windows"])
    assert {w["phi"]["flag"] for w in spray["windows"]} == {"phi_past_harvest"}
    assert {w["phi"]["market"] for w in spray["windows"]} == {"EU"}
    # a harvest far enough away clears them
    later = (local_today() + timedelta(days=40)).isoformat()
    far = farmer.get(f"/api/v1/fields/{TOMATO}/forecast?phi_days=7&harvest={later}").get_json()
    assert far["spray"]["windows"] and not any(w["flagged"] for w in far["spray"]["windows"])


@pytest.mark.parametrize(
    "query",
    [
        "?days=3",
        "?product=no-such-product",
        "?phi_days=-1",
        "?phi_days=abc",
        "?phi_days=9999",
        "?phi_days=%C2%B2",  # a superscript two: a digit to str.isdigit, not to int()
        "?harvest=31/12/2026",
    ],
)
def test_the_query_is_validated(app: Flask, query: str) -> None:
    r = login(app, FARMER_1).get(f"/api/v1/fields/{TOMATO}/forecast{query}")
    assert r.status_code == 400 and r.get_json()["title"] == "Invalid query parameter"


def test_another_farmers_field_is_unknown(app: Flask) -> None:
    assert login(app, FARMER_3).get(f"/api/v1/fields/{TOMATO}/forecast").status_code == 404
    assert app.test_client().get(f"/api/v1/fields/{TOMATO}/forecast").status_code == 401


def test_the_api_down_answers_from_the_cache_with_its_age(app: Flask, replay: Replay) -> None:
    farmer = login(app, FARMER_1)
    assert farmer.get(f"/api/v1/fields/{TOMATO}/forecast").get_json()["forecast"]["status"] in ("fresh",)
    replay.stop()
    try:
        settings = app.config["RUONGSO_SETTINGS"]
        with app.extensions["ruongso"].db.session() as s:  # the cache is an hour and a bit old
            from server.weather.models import ForecastCache

            for row in s.scalars(select(ForecastCache)):
                row.fetched_at -= settings.forecast_ttl_s + 300
        body = farmer.get(f"/api/v1/fields/{TOMATO}/forecast").get_json()
        assert (
            body["forecast"]["status"] == "stale"
            and body["forecast"]["age_s"] >= settings.forecast_ttl_s + 300
        )
        assert body["days"] and body["spray"]["limits"]
    finally:
        replay.start()


def test_without_a_forecast_everything_still_answers(tmp_path: Path) -> None:
    a = app_with(tmp_path, "")
    try:
        farmer = login(a, FARMER_1)
        body = farmer.get(f"/api/v1/fields/{TOMATO}/forecast").get_json()
        assert body["forecast"]["status"] == "off"
        assert (body["days"], body["rain"], body["risk"], body["spray"]["windows"]) == ([], None, [], [])
        advice = farmer.get(f"/api/v1/app/fields/{TOMATO}").get_json()  # today's advice as before
        assert advice["today"]["irrigation"]["plan"]["numbers"]["rain_next_24h_mm"] is None
    finally:
        a.extensions["ruongso"].store.close()


def test_todays_irrigation_plan_counts_the_likely_rain_ahead(app: Flask, replay: Replay) -> None:
    replay.answer = "wet"
    farmer = login(app, FARMER_1)
    with app.extensions["ruongso"].db.session() as s:  # a fresh fetch of the wet front
        from server.weather.models import ForecastCache

        for row in s.scalars(select(ForecastCache)):
            s.delete(row)
    rain = farmer.get(f"/api/v1/fields/{TOMATO}/forecast").get_json()["rain"]
    assert rain["next_24h"]["probability_pct"] == 85 and rain["next_24h"]["counted_mm"] > 0
    for url in (f"/api/v1/app/fields/{TOMATO}", "/api/v1/app/home?farm=1"):
        body = farmer.get(url).get_json()
        today = (
            body["today"]
            if "today" in body
            else next(f for f in body["fields"] if f["id"] == TOMATO)["today"]
        )
        numbers = today["irrigation"]["plan"]["numbers"]
        assert numbers["rain_next_24h_mm"] == rain["next_24h"]["counted_mm"]
        assert numbers["rain_next_48h_mm"] == rain["next_48h"]["counted_mm"]
