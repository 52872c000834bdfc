"""The farmer app end to end in headless Chromium at a phone viewport, against the real app.

Log in, read today's advice, record a spray and see the harvest lock, send a photo and get an
answer, go offline, record an entry, come back and see it arrive once. Screenshots of the main
screens in both languages go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, FilePayload, Page, expect

from common.timezone import local_today
from server.farm.diagnosis import EXTENSION
from tests.mobile_api.seeding import seeded_app, serve
from tests.mobile_api.test_photos import FakeDiagnoser, jpeg
from tests.services import SCREENSHOTS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = seeded_app(tmp_path_factory.mktemp("browser"), history_days=3)
    app.extensions[EXTENSION] = FakeDiagnoser()
    with serve(app) as url:
        yield app, url


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def test_farmer_day(live: tuple[Flask, str], browser: Browser, tmp_path: Path) -> None:
    app, url = live
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
    )
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url + "/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    shot(page, "vi-login")
    page.get_by_label("Số điện thoại").fill("0912 000 001")
    page.get_by_label("Mật khẩu").fill("demo-nongdan-1")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Vườn cà chua")).to_be_visible()
    expect(page.locator(".advice").first).to_be_visible()
    shot(page, "vi-home")

    page.get_by_role("link", name="Xem Vườn cà chua").click()
    expect(page.locator(".chart").first).to_be_visible()
    shot(page, "vi-field")

    page.get_by_role("link", name="Nhật ký").first.click()
    page.get_by_label("Chọn ruộng").select_option("3")
    expect(page.locator("[data-field='3']")).to_be_attached()  # field 3's diary is drawn
    page.get_by_label("Sản phẩm").select_option("antracol-70wp")
    page.get_by_label("Thời gian cách ly trên nhãn (ngày)").fill("7")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Chưa được thu hoạch").first).to_be_visible()
    shot(page, "vi-diary")
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", page.get_by_label("Ngày", exact=True).input_value())

    # Edit the entry (If-Match), then edit it again while another phone changes it: 412, the
    # farmer sees both and keeps theirs (never overwritten silently).
    from server.farm.models import DiaryEntry

    def antracol() -> DiaryEntry:
        with app.extensions["ruongso"].db.session() as db:
            row = db.query(DiaryEntry).filter(DiaryEntry.product_id == "antracol-70wp").one()
            db.expunge(row)
            return row

    entry = page.locator(".entry").filter(has_text="Antracol")
    entry.get_by_role("button", name="Sửa").click()
    expect(page.get_by_role("heading", name="Sửa:")).to_be_visible()
    page.get_by_label("Thời gian cách ly trên nhãn (ngày)").fill("10")
    page.get_by_label("Ngày", exact=True).fill("31/02/2026")
    page.get_by_role("button", name="Lưu thay đổi").click()
    assert antracol().phi_days == 7  # refused in the page: not a date
    page.get_by_label("Ngày", exact=True).fill(antracol().applied_on.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_text("Đã lưu.")).to_be_visible()
    row = antracol()
    assert (row.phi_days, row.version) == (10, 2)
    entry.get_by_role("button", name="Sửa").click()
    csrf = page.evaluate("localStorage.getItem('csrf')")
    other = page.request.put(
        f"{url}/api/v1/app/diary/{row.id}",
        headers={"If-Match": '"2"', "X-CSRF-Token": csrf},
        data={
            "kind": "spray",
            "product_id": "antracol-70wp",
            "phi_days": 14,
            "applied_on": str(row.applied_on),
        },
    )
    assert other.status == 200
    page.get_by_label("Thời gian cách ly trên nhãn (ngày)").fill("12")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_text("Trên máy khác mục này đã thành")).to_be_visible()
    expect(page.get_by_text("bị sửa ở nơi khác")).to_be_visible()
    assert antracol().phi_days == 14
    shot(page, "vi-diary-conflict")
    page.get_by_role("button", name="Giữ bản của tôi").click()
    expect(page.get_by_text("bị sửa ở nơi khác")).not_to_be_visible()
    row = antracol()
    assert (row.phi_days, row.version) == (12, 4)

    page.get_by_role("link", name="Thu hoạch").click()
    page.get_by_role("button", name="Tạo lô").click()
    expect(page.get_by_text("Chưa được tạo lô")).to_be_visible()

    page.get_by_role("link", name="Chụp lá").click()
    page.get_by_label("Ảnh (1 đến 5 ảnh của cùng một cây)").set_input_files(
        [FilePayload(name="la.jpg", mimeType="image/jpeg", buffer=jpeg("#2e7d32"))]
    )
    page.get_by_role("button", name="Gửi ảnh").click()
    expect(page.get_by_text("Kết quả (độ tin cậy 93 %)").first).to_be_visible()
    shot(page, "vi-photo")

    # Offline: the entry waits on the phone, then arrives once.
    page.get_by_role("link", name="Nhật ký").first.click()
    expect(page.get_by_label("Sản phẩm")).to_be_visible()
    ctx.set_offline(True)
    page.get_by_label("Việc làm").select_option("fertiliser")
    page.get_by_label("Sản phẩm").select_option("urea")  # "Bón phân" offers fertilisers
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("chờ có mạng để gửi")).to_be_visible()
    expect(page.locator("#net")).to_contain_text("1 mục chờ gửi")
    shot(page, "vi-offline")
    ctx.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#net")).not_to_contain_text("chờ gửi", timeout=10000)
    with app.extensions["ruongso"].db.session() as db:
        urea = db.query(DiaryEntry).filter(DiaryEntry.product_id == "urea").count()
    assert urea == 1

    page.get_by_role("link", name="Cài đặt").click()
    page.get_by_label("English").check()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    shot(page, "en-settings")
    page.get_by_role("link", name="Today").click()
    expect(page.get_by_role("heading", name="Vườn cà chua")).to_be_visible()
    shot(page, "en-home")
    page.get_by_role("link", name="Diary").first.click()
    expect(page.get_by_text("Do not harvest").first).to_be_visible()
    shot(page, "en-diary")
    page.get_by_role("link", name="Photo").click()
    expect(page.get_by_text("Past diagnoses")).to_be_visible()
    shot(page, "en-photo")
    assert not [e for e in errors if "Failed to load resource" not in e], errors
    ctx.close()


def test_a_spray_without_an_interval_is_said_so(live: tuple[Flask, str], browser: Browser) -> None:
    """A spray on file with no known pre-harvest interval (the lock's ``phi_unknown``: no label PHI,
    no catalogue PHI) keeps the field locked, and home and diary say why — never "0 days"."""
    from server.farm.models import DiaryEntry

    app, url = live
    with app.extensions["ruongso"].db.session() as db:
        db.add(
            DiaryEntry(idempotency_key=uuid.uuid4().hex, field_id=2, kind="spray", product_name="Thuốc lạ",
                       actives=["no-such-active"], phi_days=None, applied_on=local_today(), created_at=0,
                       updated_at=0)
        )  # fmt: skip
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN")
    page = ctx.new_page()
    page.goto(url + "/")
    page.get_by_label("Số điện thoại").fill("0912 000 001")
    page.get_by_label("Mật khẩu").fill("demo-nongdan-1")
    page.get_by_role("button", name="Đăng nhập").click()
    card = page.locator("article.field").nth(1)
    expect(card).to_contain_text("Chưa được thu hoạch — thiếu thời gian cách ly")
    expect(card).to_contain_text("Đã phun Thuốc lạ ngày")
    expect(card).not_to_contain_text("cách ly 0 ngày")
    page.get_by_role("link", name="Nhật ký").first.click()
    page.get_by_label("Chọn ruộng").select_option("2")
    expect(page.locator("[data-field='2']")).to_be_attached()
    expect(page.get_by_text("Chưa được thu hoạch — thiếu thời gian cách ly").first).to_be_visible()
    ctx.close()
