"""The forecast adapter against a real local HTTP server replaying Open-Meteo answers: the request it
makes, the cache per location and its age, the stale cache while the API is down, and every kind of
bad answer leading to "no forecast" (or the last good one), never to a crash or a wrong number."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from common.timezone import local_today, naive_local
from server.config import Settings
from server.db import Database
from server.weather import openmeteo
from server.weather.coordinator import ADVICE_RETRY_AFTER_S, MAX_STALE_S, cell_of, forecast, rain_for_advice
from server.weather.models import ForecastCache
from tests.weather.replay import Replay, fixture

LAT, LON = 21.2341, 105.4958  # "Vườn cà chua" of the demo farm, Vĩnh Tường


@pytest.fixture
def replay() -> Iterator[Replay]:
    r = Replay().start()
    yield r
    r.stop()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database(f"sqlite:///{tmp_path / 'registry.sqlite'}")
    d.upgrade()
    yield d
    d.engine.dispose()


def settings(tmp_path: Path, url: str, ttl: int = 3600) -> Settings:
    return Settings.from_env(data_dir=tmp_path, secret_key="t", forecast_url=url, forecast_ttl_s=ttl)


def test_fetches_the_location_cell_in_the_farms_zone_and_caches_it(
    replay: Replay, db: Database, tmp_path: Path
) -> None:
    now = int(time.time())
    got = forecast(db, settings(tmp_path, replay.url + "/"), LAT, LON, now)
    assert got.status == "fresh" and got.age_s == 0 and got.source == replay.url
    assert replay.paths == ["/v1/forecast"]
    q = replay.requests[0]
    assert (q["latitude"], q["longitude"]) == (["21.2000"], ["105.5000"])  # the 0.1 degree cell
    assert q["timezone"] == ["Asia/Ho_Chi_Minh"] and q["wind_speed_unit"] == ["ms"]
    wanted = {"temperature_2m", "relative_humidity_2m", "precipitation", "precipitation_probability"}
    assert set(q["hourly"][0].split(",")) >= wanted | {"wind_speed_10m"}
    recorded = json.loads(fixture("dry"))["hourly"]
    assert len(got.hours) == len(recorded["time"]) - 1
    first = got.hours[0]
    assert first.time.date() == local_today(now) and first.time.hour == 0
    assert first.temp_c == recorded["temperature_2m"][0]
    # rain and its probability are for the preceding hour: the 01:00 stamp is the 00-01 hour's rain
    rainy = next(i for i, v in enumerate(recorded["precipitation"]) if v > 0)
    assert got.hours[rainy - 1].rain_mm == recorded["precipitation"][rainy]
    assert got.hours[rainy - 1].rain_prob_pct == recorded["precipitation_probability"][rainy]
    # a second field in the same cell, within the time to live: the cache answers, no request
    again = forecast(db, settings(tmp_path, replay.url), LAT + 0.01, LON - 0.03, now + 600)
    assert again.status == "fresh" and again.age_s == 600 and len(replay.requests) == 1
    assert again.hours == got.hours
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ForecastCache)) == 1


def test_the_api_down_uses_the_cache_with_its_age_then_gives_up(
    replay: Replay, db: Database, tmp_path: Path
) -> None:
    now = int(time.time())
    cfg = settings(tmp_path, replay.url, ttl=1800)
    assert forecast(db, cfg, LAT, LON, now).status == "fresh"
    replay.stop()  # connection refused from now on
    later = now + 2 * 3600
    stale = forecast(db, cfg, LAT, LON, later)
    assert stale.status == "stale" and stale.age_s == 2 * 3600 and stale.fetched_at == now
    assert stale.hours and "no answer" in (stale.problem or "")
    too_old = forecast(db, cfg, LAT, LON, now + MAX_STALE_S + 60)
    assert too_old.status == "none" and too_old.hours == ()


def test_no_cache_and_the_api_down_is_no_forecast(replay: Replay, db: Database, tmp_path: Path) -> None:
    replay.stop()
    got = forecast(db, settings(tmp_path, replay.url), LAT, LON, int(time.time()))
    assert (got.status, got.hours) == ("none", ())


def test_no_base_url_means_no_forecast_and_no_request(replay: Replay, db: Database, tmp_path: Path) -> None:
    got = forecast(db, settings(tmp_path, ""), LAT, LON, int(time.time()))
    assert got.status == "off" and not got.available and replay.requests == []


@pytest.mark.parametrize(
    ("answer", "status", "why"),
    [
        ("truncated", 200, "not JSON"),
        ("humidity_140", 200, "relative_humidity_2m: 140.0 outside 0.0..100.0"),
        ("error", 400, "HTTP 400"),
    ],
)
def test_a_bad_answer_is_no_forecast_and_keeps_the_last_good_one(
    replay: Replay, db: Database, tmp_path: Path, answer: str, status: int, why: str
) -> None:
    now = int(time.time())
    cfg = settings(tmp_path, replay.url, ttl=60)
    replay.answer, replay.status = answer, status
    first = forecast(db, cfg, LAT, LON, now)
    assert first.status == "none" and why in (first.problem or "")
    with db.session() as s:
        assert s.get(ForecastCache, cell_of(LAT, LON)[0]) is None  # nothing bad is cached
    replay.answer, replay.status = "dry", 200
    assert forecast(db, cfg, LAT, LON, now + 1).status == "fresh"
    replay.answer, replay.status = answer, status
    kept = forecast(db, cfg, LAT, LON, now + 120)
    assert kept.status == "stale" and kept.age_s == 119 and kept.hours
    with db.session() as s:
        row = s.get(ForecastCache, cell_of(LAT, LON)[0])
        assert row is not None and row.fetched_at == now + 1


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d["hourly"]["temperature_2m"].__setitem__(5, 999.0), "temperature_2m: 999.0 outside"),
        (lambda d: d["hourly"]["wind_speed_10m"].__setitem__(5, -1.0), "wind_speed_10m: -1.0 outside"),
        (lambda d: d["hourly"]["precipitation"].__setitem__(5, "lots"), "is not a number"),
        (lambda d: d["hourly"]["precipitation_probability"].__setitem__(5, True), "is not a number"),
        (lambda d: d.__setitem__("utc_offset_seconds", 0), "not the farms' zone"),
        (lambda d: d["hourly_units"].__setitem__("temperature_2m", "°F"), "unit '°F'"),
        (lambda d: d["hourly"]["time"].__setitem__(3, d["hourly"]["time"][2]), "by one hour"),
        (lambda d: d["hourly"]["relative_humidity_2m"].pop(), "one value per time"),
        (lambda d: d.pop("hourly"), "no hourly block"),
    ],
)
def test_every_number_is_checked(change: object, why: str) -> None:
    data = json.loads(fixture("dry"))
    change(data)  # type: ignore[operator]
    with pytest.raises(openmeteo.ForecastInvalid, match=why.replace("(", r"\(").replace(".", r"\.")):
        openmeteo.parse(json.dumps(data))


def test_non_finite_numbers_and_old_forecasts_are_refused() -> None:
    data = json.loads(fixture("dry"))
    data["hourly"]["temperature_2m"][0] = float("nan")  # json.dumps writes NaN, as a broken server might
    text = json.dumps(data)
    assert "NaN" in text
    with pytest.raises(openmeteo.ForecastInvalid, match="non-finite"):
        openmeteo.parse(text)
    old = fixture("dry", first_day=local_today() - timedelta(days=10))
    with pytest.raises(openmeteo.ForecastInvalid, match="forecast ended"):
        openmeteo.parse(old, naive_local(int(time.time())))


def test_wind_in_km_per_hour_is_converted(replay: Replay) -> None:
    ms = openmeteo.parse(fixture("dry"))
    kmh = openmeteo.parse(fixture("wind_kmh"))
    assert [round(h.wind_m_s or 0, 1) for h in kmh] == [round(h.wind_m_s or 0, 1) for h in ms]


def test_todays_advice_waits_before_asking_a_failed_api_again(
    replay: Replay, db: Database, tmp_path: Path
) -> None:
    now = int(time.time())
    cfg = settings(tmp_path, replay.url)
    replay.answer, replay.status = "error", 500
    assert rain_for_advice(db, cfg, LAT, LON, now) is None and len(replay.requests) == 1
    replay.answer, replay.status = "wet", 200
    assert rain_for_advice(db, cfg, LAT, LON, now + 60) is None and len(replay.requests) == 1  # not yet
    rain = rain_for_advice(db, cfg, LAT, LON, now + ADVICE_RETRY_AFTER_S + 1)
    assert len(replay.requests) == 2 and rain is not None and rain.next_48h_mm and rain.next_48h_mm > 0
    assert rain_for_advice(db, settings(tmp_path, ""), LAT, LON, now) is None  # no API: no rain counted


@pytest.mark.parametrize("bad", ["2026-12-04 05:00", "2026-02-30T05:00", "2026-12-04T05:00:00", 20261204])
def test_times_must_be_real_local_hours_in_the_documented_shape(bad: object) -> None:
    data = json.loads(fixture("dry"))
    data["hourly"]["time"][0] = bad
    with pytest.raises(openmeteo.ForecastInvalid, match=r"hourly\.time"):
        openmeteo.parse(json.dumps(data))
