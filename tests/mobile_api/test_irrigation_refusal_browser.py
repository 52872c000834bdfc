"""A field with no weather yet: the farmer's home screen says, in the farmer's language, why there
is no watering advice today, and never an English fragment inside the Vietnamese sentence.

Seeded with no history at all (a farm whose station was installed today), headless Chromium on a
phone-sized screen, through the real app.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.mobile_api.conftest import farmer_phone
from tests.mobile_api.seeding import seeded_app, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = seeded_app(tmp_path_factory.mktemp("no-weather"), history_days=0)
    with serve(app) as served:
        yield served
    app.extensions["ruongso"].store.close()


def test_no_weather_yet_is_said_in_the_farmers_words(browser: Browser, url: str) -> None:
    ctx, page = farmer_phone(browser, url)
    advice = page.locator(".card.field", has_text="Vườn cà chua").locator(".advice").first
    expect(advice).to_contain_text("Chưa đủ số liệu để khuyên tưới")
    expect(advice).to_contain_text("chưa có số liệu thời tiết hôm nay và mấy hôm trước")
    assert "no ET0" not in advice.inner_text() and "recent days" not in advice.inner_text()
    page.evaluate("localStorage.setItem('lang', 'en')")
    page.reload()
    advice = page.locator(".card.field", has_text="Vườn cà chua").locator(".advice").first
    expect(advice).to_contain_text("no weather today or on recent days to work out the crop's water use")
    page.evaluate("localStorage.setItem('lang', 'vi')")
    ctx.close()
