"""What the officer reads in the alert preview when a circle holds only a farm that does not share:
"fewer than 3", in Vietnamese and English, and the alert can still be sent (everyone is warned).

The officer page's own preview (``previewAlert`` in /static/officer/alerts.js) on the served app;
screenshots go to test-artifacts/screenshots/officer-alert-preview-k-{vi,en}.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from server.registry.geo import centroid
from server.registry.models import Field
from tests.mobile_api.conftest import browser  # noqa: F401  (the suite's headless Chromium fixture)
from tests.mobile_api.seeding import seeded_app, serve
from tests.mobile_api.test_browser_officer_tech import open_page
from tests.mobile_api.test_officer_support import OFFICER
from tests.services import SCREENSHOTS


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = seeded_app(tmp_path_factory.mktemp("k-anon-browser"), history_days=0.1)
    with serve(app) as url:
        yield app, url
    app.extensions["ruongso"].store.close()


def preview(page: Page, lat: float, lon: float) -> None:
    page.evaluate(
        "([lat, lon]) => import('/static/officer/alerts.js')"
        ".then((m) => m.previewAlert({ lat, lon, radius_m: 5 }, () => {}))",
        [lat, lon],
    )


def test_the_preview_says_fewer_than_three_and_still_sends(
    live: tuple[Flask, str],
    browser: Browser,  # noqa: F811  (the fixture imported above)
) -> None:
    app, url = live
    with app.extensions["ruongso"].db.session() as s:  # farm 3 does not share with this officer
        field = s.scalars(select(Field).where(Field.farm_id == 3).order_by(Field.id)).first()
        assert field is not None
        lat, lon = centroid(field.geometry)
    page, outside = open_page(browser, url, "/officer/#map", OFFICER)
    expect(page.locator("body[data-ready='1']")).to_be_attached()
    preview(page, lat, lon)
    box = page.locator("#alert-preview")
    expect(box).to_contain_text("0 người (chủ hộ) có 0 ruộng trong vùng này.")
    expect(box).to_contain_text("Ruộng của hộ chưa đồng ý chia sẻ: dưới 3 ruộng (có thể không có)")
    expect(box).to_contain_text("Hộ chưa có tài khoản ứng dụng: dưới 3 hộ")
    expect(page.locator("#alert-confirm")).to_be_enabled()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "officer-alert-preview-k-vi.png"))
    page.click("#lang")
    preview(page, lat, lon)
    expect(box).to_contain_text("Fields of farms that have not agreed to share: fewer than 3 (perhaps none)")
    page.screenshot(path=str(SCREENSHOTS / "officer-alert-preview-k-en.png"))
    assert outside == []
