"""The forecast card on the farmer's field screen in headless Chromium, its forecast replayed by a local
Open-Meteo-compatible server: the days ahead, the rain today's watering advice counts on, disease
risk for the next days and the good hours to spray; choosing a product with a 7-day interval flags
the windows that would run past the planned harvest for the EU market. Then the API goes down and
the card says it shows the last forecast, with its age; without a forecast source it says so."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from common.timezone import local_today
from server.farm.models import FieldProfile
from server.registry.plantings import Planting
from server.weather.models import ForecastCache
from tests.mobile_api.conftest import FARMER_1, farmer_phone, login
from tests.mobile_api.seeding import seeded_app, serve
from tests.weather.replay import Replay

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TOMATO = 3


@pytest.fixture(scope="module")
def replay() -> Iterator[Replay]:
    r = Replay().start()
    r.answer = "wet"
    yield r
    r.stop()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, replay: Replay) -> Iterator[tuple[Flask, str]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RUONGSO_FORECAST_URL", replay.url)
        app = seeded_app(tmp_path_factory.mktemp("forecast_browser"), history_days=1)
    with app.extensions["ruongso"].db.session() as s:
        s.merge(FieldProfile(field_id=TOMATO, market="EU"))
        p = s.scalars(select(Planting).where(Planting.field_id == TOMATO)).first()
        if p is None:
            p = Planting(field_id=TOMATO, crop="tomato", sown_on=local_today() - timedelta(days=60))
            s.add(p)
        p.expected_harvest = local_today() + timedelta(days=4)
    with serve(app) as url:
        yield app, url
    app.extensions["ruongso"].store.close()


def test_the_forecast_card_shows_rain_risk_and_spray_windows(
    live: tuple[Flask, str], browser: Browser, replay: Replay
) -> None:
    app, url = live
    ctx, page = farmer_phone(browser, url)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url + f"/#/field/{TOMATO}")
    card = page.locator(".forecast")
    expect(card.get_by_role("heading", name="Thời tiết sắp tới")).to_be_visible()
    expect(card.locator(".fc-source")).to_contain_text("Dự báo cập nhật")
    expect(card.locator(".fc-day")).to_have_count(4)
    expect(card.locator(".fc-day").first).to_contain_text("Hôm nay")
    # the rain of the wet front is counted by today's watering advice
    expect(card).to_contain_text("Dự báo mưa")
    # the card repeats the irrigation plan's own decision on that rain, never a second one
    plan = login(app, FARMER_1).get(f"/api/v1/app/fields/{TOMATO}").get_json()["today"]["irrigation"]["plan"]
    assert plan["numbers"]["rain_next_24h_mm"] > 0
    said = (
        "Hoãn tưới hôm nay"
        if plan["status"] == "hold_for_rain"
        else "Lời khuyên tưới hôm nay đã tính lượng mưa này"
    )
    expect(card.locator(".advice", has_text="Dự báo mưa")).to_contain_text(said)
    # disease risk of the next days, from the disease models on the forecast hours
    risk = card.locator(".advice", has_text="trong 3 ngày tới")
    expect(risk.filter(has_text="mốc sương")).to_contain_text("Ngày mai: ")  # late blight, farmer's words
    # good hours to spray: tomorrow from 07:00, after the night's rain
    windows = card.locator(".fc-spray .advice")
    expect(windows.filter(has_text="Ngày mai 07:00–").first).to_be_visible()
    expect(card).to_contain_text("Ngày thu hoạch dự kiến")
    # the farmer picks a product and types the label's 7-day interval: the harvest in 4 days is too soon
    product = card.get_by_label("Thuốc định phun")
    expect(product.locator("option")).not_to_have_count(1)
    product.select_option(index=1)
    card.get_by_label("Số ngày cách ly trên nhãn").fill("7")
    card.get_by_role("button", name="Kiểm tra giờ phun").click()
    flagged = card.locator(".fc-spray .advice.bad").first
    expect(flagged).to_contain_text("Không nên phun: cách ly 7 ngày")
    expect(flagged).to_contain_text("hàng bán thị trường châu Âu (EU)")
    ARTIFACTS.mkdir(exist_ok=True)
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(ARTIFACTS / "forecast_card.png"))
    # the forecast API goes down and the cache is two hours old: the last forecast, with its age
    replay.stop()
    try:
        with app.extensions["ruongso"].db.session() as s:
            for row in s.scalars(select(ForecastCache)):
                row.fetched_at -= 2 * 3600
        page.reload()
        expect(page.locator(".forecast .fc-source")).to_contain_text("đang dùng dự báo cũ từ 2 giờ trước")
        expect(page.locator(".forecast .fc-spray .advice").first).to_be_visible()
    finally:
        replay.start()
    assert errors == []
    ctx.close()


def test_without_a_forecast_source_the_card_says_so(tmp_path: Path, browser: Browser) -> None:
    app = seeded_app(tmp_path, history_days=1)
    try:
        with serve(app) as url:
            ctx, page = farmer_phone(browser, url)
            page.goto(url + f"/#/field/{TOMATO}")
            card = page.locator(".forecast")
            expect(card.locator(".fc-none")).to_contain_text("Không có dự báo")
            expect(card).to_contain_text("chưa tính mưa sắp tới")
            expect(page.locator(".field-day")).to_be_visible()  # the rest of the screen as before
            ctx.close()
    finally:
        app.extensions["ruongso"].store.close()
