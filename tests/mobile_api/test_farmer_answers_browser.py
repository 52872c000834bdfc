"""The farmer's side of three loops, on a phone in headless Chromium through the real app.

1. Photo answers: the officer corrects a photo to "not a plant" on the review desk; the farmer reads
   a sentence that says so and what to do (photo screen and home), never "corrected to:" with
   nothing after it, and "Đọc to" reads the answer aloud.
2. The diary's spray form fills in the pre-harvest interval from the catalogue for the field's crop,
   says where it comes from in small text, and never overwrites a number the farmer typed.
3. The planned harvest is set on the season profile form (an explicit day) and the forecast card
   flags a spray window whose interval runs past it.

The classifier is the suite's stand-in (``test_browser_review.StandIn``): brown photos make the
model unsure, so the photo reaches the review desk. The forecast is replayed by a local
Open-Meteo-compatible server. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from common.timezone import local_today
from server.farm.diagnosis import EXTENSION
from server.registry.plantings import Planting
from tests.mobile_api.conftest import FARMER_1, farmer_phone, login
from tests.mobile_api.seeding import probes_read, seeded_app, serve
from tests.mobile_api.test_browser_officer_tech import open_page
from tests.mobile_api.test_browser_review import BROWN, StandIn, send_photo
from tests.mobile_api.test_officer_support import OFFICER
from tests.mobile_api.test_season_profile_browser import VOICES
from tests.services import SCREENSHOTS
from tests.weather.replay import Replay

pytestmark = pytest.mark.browser
RICE_2, TOMATO = 2, 3
NOT_PLANT_VI = (
    "Cán bộ khuyến nông đã xem ảnh: ảnh không chụp cây trồng. "
    "Hãy chụp lại lá cây bị bệnh, chụp gần và rõ nét."
)


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
        # Two days: yesterday must be a whole day of weather at any hour the suite runs, or the
        # tomato field has no ET0 and no watering plan to show (only a one-day history failed
        # after noon in Vietnam, when neither yesterday nor today had enough hours).
        app = seeded_app(tmp_path_factory.mktemp("farmer-answers"), history_days=2)
    probes_read(app, TOMATO, 0.24)  # a dry clay loam: the README's screens show a watering plan
    app.extensions[EXTENSION] = StandIn()
    with app.extensions["ruongso"].db.session() as s:
        p = s.scalars(select(Planting).where(Planting.field_id == TOMATO)).first()
        if p is None:
            s.add(Planting(field_id=TOMATO, crop="tomato", sown_on=local_today() - timedelta(days=60)))
        else:
            p.sown_on, p.transplanted_on = local_today() - timedelta(days=60), None
            p.expected_harvest = None
    with serve(app) as url:
        yield app, url
    app.extensions["ruongso"].store.close()


def shot(page: Page, name: str, full: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full)


def with_voice(page: Page) -> None:
    """The phone has a Vietnamese voice; the utterances are recorded in ``window.__spoken``."""
    page.context.add_init_script(f"({VOICES})('vi-VN')")
    page.reload()
    expect(page.locator(".advice").first).to_be_visible()


def test_not_a_plant_reaches_the_farmer_in_words_and_is_read_aloud(
    live: tuple[Flask, str], browser: Browser
) -> None:
    app, url = live
    ctx, farmer = farmer_phone(browser, url)
    errors: list[str] = []
    farmer.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    with_voice(farmer)
    diag = send_photo(farmer, app, RICE_2, BROWN)
    assert diag.review_status == "pending"

    officer, _ = open_page(browser, url, "/officer/#review", OFFICER)
    officer.wait_for_load_state("networkidle")
    card = officer.locator(f"article.review[data-id='{diag.id}']")
    card.locator("select.label-select").select_option("not_plant")
    card.get_by_role("button", name="Sửa kết quả").click()
    expect(card).to_have_count(0)
    officer.context.close()

    farmer.reload()
    mine = farmer.locator(f".dx-history article.dx[data-id='{diag.id}']")
    expect(mine.locator(".review-state")).to_have_text(NOT_PLANT_VI)
    expect(mine).not_to_contain_text("sửa kết quả thành")
    # "Đọc to" on the photo answer reads the officer's sentence with the Vietnamese voice
    mine.get_by_role("button", name="Đọc to").click()
    spoken = farmer.evaluate("window.__spoken")
    assert len(spoken) == 1 and spoken[0]["lang"] == "vi-VN"
    assert NOT_PLANT_VI in spoken[0]["text"] and "Đọc to" not in spoken[0]["text"]
    mine.scroll_into_view_if_needed()
    shot(farmer, "app-vi-photo")

    # the home screen words the same answer, with the field's name
    farmer.get_by_role("link", name="Hôm nay").click()
    reply = farmer.locator(".dx-replies li.dx-reply[data-state='corrected']", has_text="Ruộng lúa Đồng Sau")
    expect(reply).to_contain_text(
        "Ruộng lúa Đồng Sau: cán bộ xem ảnh — ảnh không phải cây trồng, hãy chụp lại"
    )
    expect(reply).to_have_class(re.compile(r"\bwarn\b"))  # something to do: take a new photo
    # and in English, from the same answer
    farmer.evaluate(f"localStorage.setItem('lang', 'en'); localStorage.setItem('field', '{RICE_2}')")
    farmer.goto(url + "/#/photo")
    farmer.reload()  # the language is read when the app starts
    expect(mine.locator(".review-state")).to_have_text(
        "The extension officer looked at the photos: they do not show a crop plant. "
        "Take a new photo of the sick leaf, close and sharp."
    )
    assert errors == []
    ctx.close()


def test_the_spray_form_fills_in_the_catalogue_interval_and_says_where_from(
    live: tuple[Flask, str], browser: Browser
) -> None:
    _app, url = live
    ctx, page = farmer_phone(browser, url)
    page.goto(url + "/#/diary")
    page.get_by_label("Chọn ruộng").select_option(str(TOMATO))
    product = page.get_by_label("Sản phẩm", exact=True)
    phi = page.get_by_label("Thời gian cách ly trên nhãn (ngày)")
    source = page.locator(".phi-source")
    cat = page.request.get(f"{url}/api/v1/app/fields/{TOMATO}/catalogue").json()["products"]
    listed = next(p for p in cat if p["phi_days"] is not None)
    unlisted = next(p for p in cat if p["phi_days"] is None and p["for_crop"])
    product.select_option(listed["id"])
    expect(phi).to_have_value(str(listed["phi_days"]))
    expect(source).to_be_visible()
    expect(source).to_contain_text("Theo danh mục thuốc: ")
    expect(source).to_contain_text(listed["phi_source"].removeprefix("catalogue: ")[:30])
    page.locator("form.card").scroll_into_view_if_needed()
    shot(page, "farmer-diary-phi-prefill")
    # another product the list gives no interval for: the app's number goes, the label is asked for
    product.select_option(unlisted["id"])
    expect(phi).to_have_value("")
    expect(source).to_have_text(
        "Danh mục chưa ghi thời gian cách ly của thuốc này cho cây này — xem trên nhãn thuốc."
    )
    # a number the farmer typed from the label is never replaced
    phi.fill("5")
    product.select_option(listed["id"])
    expect(phi).to_have_value("5")
    expect(source).to_be_hidden()
    ctx.close()


def test_the_planned_harvest_set_on_the_profile_flags_a_spray_window(
    live: tuple[Flask, str], browser: Browser
) -> None:
    app, url = live
    ctx, page = farmer_phone(browser, url)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url + f"/#/field/{TOMATO}")
    harvest_on = local_today() + timedelta(days=4)
    form = page.locator("form.season-form")
    form.get_by_label("Ngày thu hoạch dự kiến").fill(harvest_on.strftime("%d/%m/%Y"))
    expect(form.get_by_label("Thời gian sinh trưởng (ngày)")).to_have_value("")  # the day wins
    form.get_by_role("button", name="Lưu").click()
    expect(page.locator("form.season-form").get_by_label("Ngày thu hoạch dự kiến")).to_have_value(
        harvest_on.strftime("%d/%m/%Y")
    )
    expect(page.locator("form.season-form").get_by_label("Thời gian sinh trưởng (ngày)")).to_have_value("64")
    with app.extensions["ruongso"].db.session() as s:
        p = s.scalars(select(Planting).where(Planting.field_id == TOMATO)).first()
        assert p is not None and p.expected_harvest == harvest_on
    card = page.locator(".forecast")
    expect(card).to_contain_text(f"Ngày thu hoạch dự kiến: {harvest_on.strftime('%d/%m/%Y')}")
    card.get_by_label("Thuốc định phun").select_option(index=1)
    card.get_by_label("Số ngày cách ly trên nhãn").fill("7")
    card.get_by_role("button", name="Kiểm tra giờ phun").click()
    expect(card.locator(".fc-spray .advice.bad").first).to_contain_text("Không nên phun: cách ly 7 ngày")
    card.scroll_into_view_if_needed()
    shot(page, "farmer-forecast-harvest-flag")
    spray = login(app, FARMER_1).get(f"/api/v1/fields/{TOMATO}/forecast").get_json()["spray"]
    assert spray["harvest_on"] == harvest_on.isoformat()
    assert errors == []
    ctx.close()


def test_the_farmer_screens_of_the_readme(live: tuple[Flask, str], browser: Browser) -> None:
    """The farmer's screens the README shows (copied from test-artifacts/screenshots/ to
    docs/screenshots/ by hand after looking at them): home with its irrigation plan, the field with
    its season profile, the forecast card and the spray diary, in Vietnamese and English."""
    _app, url = live
    ctx, page = farmer_phone(browser, url)
    card = page.locator(".card.field", has_text="Vườn cà chua")
    expect(card.locator(".plan-steps li").first).to_be_visible()  # the water split into waterings
    card.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, "app-vi-home")
    page.goto(url + f"/#/field/{TOMATO}")
    season = page.locator("section.season")
    expect(season.get_by_label("Ngày thu hoạch dự kiến")).to_be_visible()
    season.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, "app-vi-field")
    forecast = page.locator(".forecast")
    expect(forecast.locator(".fc-day")).to_have_count(4)
    forecast.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, "app-vi-forecast")
    page.goto(url + "/#/diary")
    page.get_by_label("Chọn ruộng").select_option(str(TOMATO))
    page.get_by_label("Sản phẩm", exact=True).select_option("bavistin-50fl")
    expect(page.locator(".phi-source")).to_contain_text("Theo danh mục thuốc")
    page.locator("form.card").evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, "app-vi-diary")
    page.evaluate("localStorage.setItem('lang', 'en')")
    page.goto(url + "/")
    page.reload()
    card = page.locator(".card.field", has_text="Vườn cà chua")
    expect(page.locator("[data-tab='home']")).to_have_text("Today")
    expect(card.locator(".plan-steps li, .plan-summary").first).to_be_visible()
    card.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, "app-en-home")
    page.goto(url + "/#/diary")
    page.get_by_label("Product", exact=True).select_option("bavistin-50fl")
    expect(page.locator(".phi-source")).to_contain_text("From the pesticide list")
    page.locator("form.card").evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, "app-en-diary")
    page.evaluate("localStorage.setItem('lang', 'vi')")
    ctx.close()
