"""The farmer's season profile, the irrigation plan, "Đọc to" and the season table, on a phone.

Farmer 1 opens the app: the tomato garden's card says what the advice assumed ("Giả sử gieo trồng
ngày …, đất thịt pha sét, tưới rãnh …") and splits the water into waterings the soil can hold, with
its confidence in words. The farmer fills in the season profile on the field screen; the advice
changes to the confirmed soil and method, in pump minutes, and stops assuming. Cards are read aloud
with a Vietnamese voice, and the button is hidden where the phone has none. The season table
downloads as CSV for Vietnamese Excel and as XLSX. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from common.timezone import local_today
from server.advisory.irrigation_plan import Method, max_net_per_application
from server.farm.models import DiaryEntry, FieldProfile
from server.registry.plantings import Planting
from tests.mobile_api.conftest import farmer_phone
from tests.mobile_api.seeding import probes_read, seeded_app, serve
from tests.services import SCREENSHOTS

pytestmark = pytest.mark.browser
TOMATO = 3  # the demo's "Vườn cà chua" (farm 1): two soil probes, no station of its own
DRY_VWC = 0.24
# The phone's speech engine as a page sees it: one voice for the given language, utterances recorded.
VOICES = """(lang) => {
  window.__spoken = [];
  const voices = lang ? [{ name: "Giọng " + lang, lang, localService: true, voiceURI: lang }] : [];
  Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
    getVoices: () => voices, cancel() {}, addEventListener() {},
    speak: (u) => window.__spoken.push({ text: u.text, lang: u.lang, voice: u.voice && u.voice.lang }) } });
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
}"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = seeded_app(tmp_path_factory.mktemp("season-profile"), history_days=2)
    # a dry clay loam (FC 0.36, WP 0.22: 84 mm short over 0.7 m), whatever the demo's weather did
    probes_read(app, TOMATO, DRY_VWC)
    with serve(app) as url:
        yield app, url
    app.extensions["ruongso"].store.close()


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _field(page: Page, url: str) -> dict[str, Any]:
    r = page.request.get(f"{url}/api/v1/app/fields/{TOMATO}")
    assert r.ok
    data: dict[str, Any] = r.json()
    return data


def _with_voice(page: Page, lang: str | None) -> None:
    page.context.add_init_script(f"({VOICES})({'null' if lang is None else repr(lang)})")
    page.reload()
    expect(page.locator(".advice").first).to_be_visible()


def test_the_profile_changes_the_plan_and_the_cards_read_aloud(
    live: tuple[Flask, str], browser: Browser
) -> None:
    app, url = live
    ctx, page = farmer_phone(browser, url)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _with_voice(page, "vi-VN")
    before = _field(page, url)["today"]
    plan = before["irrigation"]["plan"]
    assumed_day = (local_today() - timedelta(days=40)).strftime("%d/%m/%Y")
    card = page.locator(".card.field", has_text="Vườn cà chua")
    # Nothing confirmed yet: the card says what it assumed, in words
    expect(card.locator(".assumptions")).to_have_text(
        f"Giả sử gieo trồng ngày {assumed_day}, đất thịt pha sét, tưới rãnh, chưa biết lưu lượng máy bơm. "
        "Sửa trong hồ sơ vụ để lời khuyên đúng với ruộng của bác."
    )
    # The probes read a dry clay loam (set above): more than one furrow watering holds, so it is split
    cap = max_net_per_application(Method.FURROW, "clay_loam", 0.7)
    assert plan["numbers"]["need_mm"] > cap, plan
    steps = card.locator(".plan-steps li")
    expect(steps).to_have_count(math.ceil(plan["numbers"]["need_mm"] / cap))
    expect(steps.first).to_contain_text("Hôm nay: tưới")
    expect(steps.nth(1)).to_contain_text("Ngày mai: tưới")
    assert all(a["net_mm"] <= cap for a in plan["applications"])
    expect(card.locator(".plan-summary")).to_contain_text(f"chia làm {len(plan['applications'])} lần")
    # the advice's confidence and the checks it asks for, in words, never hidden
    expect(card.locator(".confidence")).to_contain_text("Độ tin cậy: thấp")
    expect(card.locator(".check").first).to_be_visible()
    _shot(page, "season-profile-home-assumed")

    # "Đọc to" reads the card in Vietnamese, without its buttons' labels
    card.get_by_role("button", name="Đọc to").click()
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1 and spoken[0]["lang"] == "vi-VN"
    assert "Giả sử gieo trồng ngày" in spoken[0]["text"] and "Độ tin cậy" in spoken[0]["text"]
    assert "Đọc to" not in spoken[0]["text"] and "Xem Vườn cà chua" not in spoken[0]["text"]
    expect(page.get_by_role("button", name="Đọc to")).not_to_have_count(0)

    # The farmer fills in the season profile on the field screen
    page.goto(f"{url}/#/field/{TOMATO}")
    expect(page.locator(".profile-unconfirmed")).to_be_visible()
    form = page.locator(".season-form")
    transplanted = local_today() - timedelta(days=50)
    form.get_by_label("Cây trồng").select_option("tomato")
    form.get_by_label("Ngày đó là").select_option("transplanted")
    form.get_by_label("Ngày gieo trồng").fill(transplanted.strftime("%d/%m/%Y"))
    form.get_by_label("Giống").fill("Savior")
    form.get_by_label("Thời gian sinh trưởng (ngày)").fill("110")
    form.get_by_label("Loại đất").select_option(label="đất sét pha limon")
    form.get_by_label("Cách tưới").select_option(label="Tưới nhỏ giọt")
    form.get_by_label("Lưu lượng máy bơm (m³/giờ)").fill("2,5")
    form.get_by_label("Bán cho thị trường").select_option("EU")
    _shot(page, "season-profile-form")
    form.get_by_role("button", name="Lưu").click()
    expect(page.locator(".season")).to_contain_text(f"cấy ngày {transplanted.strftime('%d/%m/%Y')}")
    expect(page.locator(".profile-unconfirmed")).to_have_count(0)
    with app.extensions["ruongso"].db.session() as s:
        (p,) = s.scalars(select(Planting).where(Planting.field_id == TOMATO)).all()
        assert (p.crop, p.transplanted_on, p.variety) == ("tomato", transplanted, "Savior")
        assert p.expected_harvest == transplanted + timedelta(days=110)
        prof = s.get(FieldProfile, TOMATO)
        assert prof is not None and prof.confirmed_at is not None
        assert (prof.soil_texture, prof.irrigation_method, prof.pump_rate_m3h, prof.market) == (
            "silty_clay", "drip", 2.5, "EU"
        )  # fmt: skip

    # The advice follows the profile: drip on silty clay, in pump minutes, and assumes nothing
    after = _field(page, url)["today"]
    new_plan = after["irrigation"]["plan"]
    assert after["assumptions"] is None and new_plan["method"] == "drip"
    drip_cap = max_net_per_application(Method.DRIP, "silty_clay", 0.7)
    box = page.locator(".card.irrigation")
    expect(box.locator(".assumptions")).to_have_count(0)
    expect(box.locator(".plan-steps li")).to_have_count(math.ceil(new_plan["numbers"]["need_mm"] / drip_cap))
    for a, li in zip(new_plan["applications"], box.locator(".plan-steps li").all(), strict=True):
        assert a["net_mm"] <= drip_cap + 0.05
        assert a["pump_minutes"] == round(a["volume_m3"] / 2.5 * 60)
        hours, minutes = divmod(a["pump_minutes"], 60)
        said = f"{hours} giờ {minutes} phút" if a["pump_minutes"] >= 90 else f"{a['pump_minutes']} phút"
        expect(li).to_contain_text(f"chạy máy bơm khoảng {said}")
    expect(box.locator(".plan-note").first).to_contain_text("tưới nhỏ giọt chỉ khoảng 90 %")
    box.get_by_role("button", name="Đọc to").click()
    assert "nhỏ giọt" in page.evaluate("window.__spoken")[-1]["text"]
    box.scroll_into_view_if_needed()
    _shot(page, "season-profile-field-plan")
    assert errors == []
    ctx.close()


def test_the_read_aloud_button_is_hidden_without_a_vietnamese_voice(
    live: tuple[Flask, str], browser: Browser
) -> None:
    _, url = live
    ctx, page = farmer_phone(browser, url)
    _with_voice(page, "en-US")  # an English voice only: never read Vietnamese with it
    page.wait_for_timeout(300)  # the voice check is asynchronous; give it the chance to (wrongly) show
    buttons = page.locator(".read-aloud")
    assert buttons.count() >= 1
    for b in buttons.all():
        expect(b).to_be_hidden()
    ctx.close()


def test_the_season_table_downloads_for_vietnamese_excel(live: tuple[Flask, str], browser: Browser) -> None:
    app, url = live
    today = local_today()
    sprayed = today - timedelta(days=1)
    with app.extensions["ruongso"].db.session() as s:
        for key, voided in (("table-spray", None), ("table-voided", 1)):
            s.add(DiaryEntry(idempotency_key=key, field_id=TOMATO, kind="spray",
                             product_name=f"Ridomil {key}", actives=["mancozeb"], applied_on=sprayed, note="",
                             warnings=[], created_by="1", created_at=0, updated_at=0, version=1,
                             voided_at=voided))  # fmt: skip
        planting = s.scalars(select(Planting).where(Planting.field_id == TOMATO)).first()
        start = (planting.transplanted_on or planting.sown_on) if planting else None
    ctx, page = farmer_phone(browser, url)
    page.goto(f"{url}/#/field/{TOMATO}")
    expect(page.get_by_role("heading", name="Bảng số liệu từng ngày")).to_be_visible()
    with page.expect_download() as dl:
        page.get_by_role("link", name="Tải CSV (Excel)").click()
    raw = Path(dl.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel shows the Vietnamese letters
    lines = raw.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[:4] == ["Ngày", "Giai đoạn", "Mưa (mm)", "Bốc thoát hơi chuẩn ET0 (mm)"]
    assert header[-2:] == ["Phun thuốc", "Nguy cơ bệnh cao nhất"]
    rows = [line.split(";") for line in lines[1:]]
    first = start if start and start <= today else today - timedelta(days=13)
    assert len(rows) == (today - first).days + 1
    assert rows[0][0] == first.strftime("%d/%m/%Y") and rows[-1][0] == today.strftime("%d/%m/%Y")
    by_day = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    yesterday = by_day[sprayed.strftime("%d/%m/%Y")]
    assert yesterday["Phun thuốc"] == "Ridomil table-spray"  # the voided entry is not in the table
    et0 = yesterday["Bốc thoát hơi chuẩn ET0 (mm)"]
    assert "," in et0 and "." not in et0 and 0 < float(et0.replace(",", ".")) < 10  # decimal comma, mm/day
    assert yesterday["Nguy cơ bệnh cao nhất"] in {
        "",
        "không có",
        "thấp",
        "trung bình",
        "cao",
        "chưa xác định",
    }

    with page.expect_download() as dl:
        page.get_by_role("link", name="Tải tệp Excel (XLSX)").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
    sheet = book.active
    assert sheet is not None and sheet.title.startswith("Mùa vụ")
    assert [c.value for c in sheet[1]][:3] == ["Ngày", "Giai đoạn", "Mưa (mm)"]
    assert sheet.max_row == len(rows) + 1
    assert sheet["A2"].number_format == "DD/MM/YYYY" and sheet["A2"].value.date() == first
    _shot(page, "season-table-links")
    ctx.close()
