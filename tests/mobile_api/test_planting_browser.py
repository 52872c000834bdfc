"""The field screen in headless Chromium: the farmer records the season (crop, planting date) into the
registry's planting record, the advice shows it, and the charts come from the server's channel
catalogue with the farm's local times (not the phone's time zone)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from common.timezone import local_today, naive_local
from server.registry.plantings import Planting
from tests.mobile_api.seeding import seeded_app, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = seeded_app(tmp_path_factory.mktemp("season"), history_days=2)
    with serve(app) as url:
        yield app, url
    app.extensions["ruongso"].store.close()


def test_the_farmer_records_the_season_on_the_field_screen(live: tuple[Flask, str], browser: Browser) -> None:
    app, url = live
    # a phone set to another zone still sees the farm's hours (the one front-end time-zone constant)
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", timezone_id="Europe/London"
    )
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url + "/")
    page.get_by_label("Số điện thoại").fill("0912 000 001")
    page.get_by_label("Mật khẩu").fill("demo-nongdan-1")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator(".advice").first).to_be_visible()
    page.goto(url + "/#/field/3")
    expect(page.get_by_role("heading", name="Vụ")).to_be_visible()
    expect(page.locator(".season")).to_contain_text("chưa ghi ngày gieo trồng")
    expect(page.locator(".field-day")).to_contain_text("Hôm qua")
    expect(page.get_by_role("heading", name="Độ ẩm đất")).to_be_visible()  # a catalogue chart, its vi label
    planted = local_today() - timedelta(days=20)
    shown = planted.strftime("%d/%m/%Y")
    page.get_by_label("Cây trồng").select_option("tomato")
    page.get_by_label("Ngày gieo trồng").fill(shown)
    page.locator(".season-form").get_by_role("button", name="Lưu").click()
    expect(page.locator(".season")).to_contain_text(f"gieo trồng ngày {shown}")
    with app.extensions["ruongso"].db.session() as s:
        rows = s.scalars(select(Planting).where(Planting.field_id == 3)).all()
        assert [(p.crop, p.sown_on) for p in rows] == [("tomato", planted)]
    # the 24 h chart's first and last labels are farm hours: the newest sample is within the last hour
    caption = page.locator("figure figcaption span").first.inner_text()
    last_hour = int(caption.split("–")[1].strip()[:2])
    farm_hour = naive_local(int(time.time())).hour
    assert (farm_hour - last_hour) % 24 <= 1, (caption, farm_hour)
    # the station's field charts every weather-role channel the catalogue marks, leaf wetness included
    page.goto(url + "/#/field/1")
    expect(page.get_by_role("heading", name="Nhiệt độ không khí")).to_be_visible()
    expect(page.get_by_role("heading", name="Độ ướt lá")).to_be_visible()  # charted; no data on the demo
    assert errors == []
    ctx.close()
