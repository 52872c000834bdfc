"""Journey in Chromium through the real app: a farmer records a spray of fipronil (banned in
Vietnam by MARD Decision 501/QĐ-BNN-BVTV). The diary keeps it with its warning; the home card, the API
and the harvest screen refuse the lot, before and after "Tạo lô" is tapped; a lot made before the
gate existed is flagged on its public page and in its PDF (text read from the served file).
Screenshots of the diary and harvest screens in Vietnamese and English."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from common.timezone import local_today
from server.farm.models import Lot
from tests.mobile_api.conftest import farmer_phone
from tests.mobile_api.seeding import seeded_app, serve
from tests.mobile_api.test_compliance_gate import pdf_text
from tests.services import SCREENSHOTS

pytestmark = pytest.mark.browser
RICE = 1
LEGACY_CODE = "RS261101-0A1B2C"  # the app's former code scheme: printed labels must keep working


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = seeded_app(tmp_path_factory.mktemp("gate"), history_days=1)
    with serve(app) as url:
        yield app, url
    app.extensions["ruongso"].store.close()


def shot(page: Page, name: str, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def lots_of(app: Flask, field_id: int) -> int:
    with app.extensions["ruongso"].db.session() as db:
        return int(db.scalar(select(func.count()).select_from(Lot).where(Lot.field_id == field_id)) or 0)


def test_banned_spray_refuses_the_lot_everywhere(live: tuple[Flask, str], browser: Browser) -> None:
    app, url = live
    ctx, page = farmer_phone(browser, url)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sprayed = local_today() - timedelta(days=30)

    # Diary: the spray is recorded truthfully, with its warning.
    page.get_by_role("link", name="Nhật ký").first.click()
    page.get_by_label("Chọn ruộng").select_option(str(RICE))
    expect(page.locator(f"[data-field='{RICE}']")).to_be_attached()
    product = page.get_by_label("Sản phẩm")
    expect(product.locator("option", has_text="Regent 800WG")).to_have_text("⚠ Regent 800WG")
    product.select_option("regent-800wg")
    expect(page.get_by_role("alert").filter(has_text="fipronil bị cấm")).to_be_visible()  # before saving
    page.get_by_label("Thời gian cách ly trên nhãn (ngày)").fill("7")
    page.get_by_label("Ngày", exact=True).fill(sprayed.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã lưu.")).to_be_visible()
    entry = page.locator(".entry").filter(has_text="Regent 800WG")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(sprayed.strftime("%d/%m/%Y"))
    expect(entry.locator(".warn-line")).to_have_text(
        "⚠ fipronil bị cấm hoặc đã loại khỏi danh mục ở Việt Nam"
    )
    # the interval has ended, yet the diary does not say "harvest": the gate's refusal instead
    expect(page.locator(".refusal").first).to_contain_text("Hôm nay ruộng này chưa đủ điều kiện tạo lô:")
    expect(page.locator(".notice.ok", has_text="Được thu hoạch")).to_have_count(0)
    entry.scroll_into_view_if_needed()
    shot(page, "gate-vi-diary-banned")

    # Home: the rice field's card says the same as the diary, never a green "harvest".
    page.get_by_role("link", name="Hôm nay").first.click()
    card = page.locator("article.card.field").filter(has_text="Regent 800WG chứa fipronil")
    expect(card).to_have_count(1)
    expect(card.locator(".advice.bad", has_text="chưa đủ điều kiện tạo lô")).to_have_count(1)
    expect(card.locator(".advice", has_text="Được thu hoạch")).to_have_count(0)
    card.scroll_into_view_if_needed()
    shot(page, "gate-vi-home-banned")

    # Harvest screen: refused before the tap, and again with the reason after it.
    page.get_by_role("link", name="Thu hoạch").click()
    verdict = page.locator(".refusal").first
    expect(verdict).to_contain_text("Hôm nay ruộng này chưa đủ điều kiện tạo lô:")
    expect(verdict).to_contain_text(
        f"Regent 800WG chứa fipronil, hoạt chất bị cấm hoặc đã loại khỏi danh mục được phép ở Việt Nam "
        f"(501/QĐ-BNN-BVTV); phun ngày {sprayed:%d/%m/%Y}."
    )
    page.get_by_label("Sản lượng (kg)").fill("1250")
    page.get_by_role("button", name="Tạo lô").click()
    refused = page.locator("form .refusal")
    expect(refused).to_contain_text("Chưa được tạo lô:")
    expect(refused).to_contain_text("Regent 800WG chứa fipronil")
    expect(page.get_by_text("Đã tạo lô.")).to_have_count(0)
    expect(page.get_by_text("Chưa có lô nào.")).to_be_visible()
    refused.scroll_into_view_if_needed()
    shot(page, "gate-vi-harvest-refused")
    assert lots_of(app, RICE) == 0

    # The API says the same to any client.
    csrf = page.evaluate("localStorage.getItem('csrf')")
    r = page.request.post(
        f"{url}/api/v1/app/lots",
        headers={"X-CSRF-Token": csrf},
        data={"idempotency_key": uuid.uuid4().hex, "field_id": RICE, "quantity_kg": 100},
    )
    assert r.status == 409
    assert r.json()["code"] == "not_compliant" and r.json()["reasons"][0]["params"]["active"] == "fipronil"
    assert lots_of(app, RICE) == 0

    # A lot made before the gate existed, with this spray on file, is flagged when read.
    with app.extensions["ruongso"].db.session() as db:
        key = uuid.uuid4().hex
        db.add(Lot(code=LEGACY_CODE, idempotency_key=key, field_id=RICE, crop="rice", market="VN",
                   harvest_date=local_today(), quantity_kg=1250, created_at=0))  # fmt: skip
    page.goto(f"{url}/lot/{LEGACY_CODE.lower()}")
    flag = page.get_by_role("alert")
    expect(flag.get_by_role("heading")).to_contain_text("CẢNH BÁO: lô này không đạt yêu cầu")
    expect(flag).to_contain_text("WARNING: this lot does not comply")
    expect(flag).to_contain_text("Regent 800WG chứa fipronil")
    expect(flag).to_contain_text("Regent 800WG contains fipronil")
    expect(page.locator("table")).to_contain_text("Regent 800WG (fipronil)")
    shot(page, "gate-lot-page-flagged", full_page=True)
    pdf = page.request.get(f"{url}/lot/{LEGACY_CODE}/report.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.body())
    flat = " ".join(text.split())
    assert "KHÔNG ĐẠT: lô này không đáp ứng quy định cho thị trường của lô" in flat
    assert "NOT COMPLIANT" in flat and "Regent 800WG chứa fipronil" in flat and "501/QĐ-BNN-BVTV" in flat
    assert "Không đạt / Not OK" in text.splitlines()  # the spray's own row
    assert "Đạt / OK" not in text.splitlines()
    assert "ĐẠT: không có hoạt chất cấm" not in flat

    # English: the same verdict in the farmer's other language.
    page.goto(url + "/")
    page.evaluate("localStorage.setItem('lang', 'en')")
    page.reload()
    expect(page.get_by_role("link", name="Harvest")).to_be_visible()
    expect(page.locator(".advice").first).to_be_visible()  # the home screen has drawn
    page.get_by_role("link", name="Harvest").click()
    verdict = page.locator(".refusal").first
    expect(verdict).to_contain_text("This field cannot give a lot today:")
    expect(verdict).to_contain_text(
        "Regent 800WG contains fipronil, banned or removed from the permitted list in Vietnam "
        "(501/QĐ-BNN-BVTV)"
    )
    page.get_by_role("button", name="Create lot").click()
    expect(page.locator("form .refusal")).to_contain_text("Lot not created:")
    old_lot = page.locator("article.lot").filter(has_text=LEGACY_CODE)
    expect(old_lot.locator(".refusal")).to_contain_text("WARNING: this lot does not comply")
    page.locator("form .refusal").scroll_into_view_if_needed()
    shot(page, "gate-en-harvest-refused")
    page.get_by_role("link", name="Diary").first.click()
    expect(page.locator(".entry").filter(has_text="Regent 800WG").locator(".warn-line")).to_have_text(
        "⚠ fipronil is banned or removed from the list in Vietnam"
    )
    page.locator(".entry").filter(has_text="Regent 800WG").scroll_into_view_if_needed()
    shot(page, "gate-en-diary-banned")
    assert not [e for e in errors if "Failed to load resource" not in e], errors
    ctx.close()
