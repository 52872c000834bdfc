"""Diary journeys in Chromium through the real app: offline, "Lưu" tapped again and again makes
one entry; "Bón phân" offers fertilisers; a date after today is refused; a mistaken spray is voided
with a reason, shown struck through with who and when, and no longer locks the harvest.
Screenshots of the diary in Vietnamese and English."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select

from common.timezone import local_today
from server.farm.models import DiaryEntry
from tests.mobile_api.conftest import farmer_phone
from tests.mobile_api.seeding import seeded_app, serve
from tests.services import SCREENSHOTS

pytestmark = pytest.mark.browser
RICE_2, TOMATO = 2, 3


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = seeded_app(tmp_path_factory.mktemp("diary"), history_days=1)
    with serve(app) as url:
        yield app, url
    app.extensions["ruongso"].store.close()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def diary_of(browser: Browser, url: str, field_id: int) -> tuple[BrowserContext, Page]:
    ctx, page = farmer_phone(browser, url)
    page.get_by_role("link", name="Nhật ký").first.click()
    page.get_by_label("Chọn ruộng").select_option(str(field_id))
    expect(page.locator(f"[data-field='{field_id}']")).to_be_attached()
    return ctx, page


def count(app: Flask, **where: object) -> int:
    with app.extensions["ruongso"].db.session() as db:
        return int(db.scalar(select(func.count()).select_from(DiaryEntry).filter_by(**where)) or 0)


def test_offline_save_tapped_again_and_again_makes_one_entry(
    live: tuple[Flask, str], browser: Browser
) -> None:
    app, url = live
    ctx, page = diary_of(browser, url, RICE_2)
    page.get_by_label("Việc làm").select_option("fertiliser")
    options = page.get_by_label("Sản phẩm").locator("option").all_inner_texts()
    assert "Phân urê (đạm)" in options and "NPK 16-16-8" in options
    assert not [o for o in options if "Regent" in o or "Antracol" in o]  # no pesticide for "Bón phân"
    expect(page.get_by_label("Thời gian cách ly trên nhãn (ngày)")).to_be_hidden()
    ctx.set_offline(True)
    page.get_by_label("Sản phẩm").select_option("npk-16-16-8")
    page.get_by_label("Lượng bón (kg)").fill("25")
    save = page.get_by_role("button", name="Lưu", exact=True)
    # A farmer on a slow phone taps again before anything seems to happen: three quick taps, and
    # two form submissions fired in one go (what a double tap does on a busy page).
    page.evaluate(
        "() => { const f = document.querySelector('form.card'); f.requestSubmit(); f.requestSubmit(); }"
    )
    save.click(click_count=2)
    save.click()
    expect(page.get_by_text("chờ có mạng để gửi")).to_be_visible()
    expect(page.locator("#net")).to_contain_text("1 mục chờ gửi")
    outbox = page.evaluate(
        """() => new Promise((ok) => { const r = indexedDB.open('ruongso', 1);
             r.onsuccess = () => { const q = r.result.transaction('outbox').objectStore('outbox').getAll();
               q.onsuccess = () => ok(q.result.map((i) => [i.key, i.json.idempotency_key])); }; })"""
    )
    assert len(outbox) == 1 and outbox[0][0] == outbox[0][1]  # the key travels with the request
    waiting = page.locator(".entry.waiting")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("NPK 16-16-8 — chờ gửi")
    shot(page, "diary-vi-offline-one-entry")
    ctx.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#net")).not_to_contain_text("chờ gửi", timeout=10000)
    assert count(app, field_id=RICE_2, product_id="npk-16-16-8") == 1
    page.get_by_label("Chọn ruộng").select_option(str(TOMATO))
    page.get_by_label("Chọn ruộng").select_option(str(RICE_2))
    expect(page.locator(".entry").filter(has_text="NPK 16-16-8")).to_have_count(1)
    assert count(app, field_id=RICE_2, product_id="npk-16-16-8") == 1
    ctx.close()


def test_future_date_refused_and_void_struck_through(live: tuple[Flask, str], browser: Browser) -> None:
    app, url = live
    ctx, page = diary_of(browser, url, TOMATO)
    before = count(app, field_id=TOMATO)
    page.get_by_label("Sản phẩm").select_option("score-250ec")
    page.get_by_label("Thời gian cách ly trên nhãn (ngày)").fill("14")
    tomorrow = local_today() + timedelta(days=1)
    page.get_by_label("Ngày", exact=True).fill(tomorrow.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Lưu", exact=True).click()
    message = page.get_by_label("Ngày", exact=True).evaluate("(e) => e.validationMessage")
    assert message == "Ngày không được sau hôm nay: nhật ký ghi việc đã làm."
    assert count(app, field_id=TOMATO) == before
    # and the server says the same to a client that skips the page's check
    csrf = page.evaluate("localStorage.getItem('csrf')")
    r = page.request.post(
        f"{url}/api/v1/app/diary",
        headers={"X-CSRF-Token": csrf},
        data={"idempotency_key": "future-0001", "field_id": TOMATO, "kind": "spray",
              "product_id": "score-250ec", "phi_days": 14, "applied_on": tomorrow.isoformat()},
    )  # fmt: skip
    assert r.status == 400 and r.json()["code"] == "future_date"

    page.get_by_label("Ngày", exact=True).fill(local_today().strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã lưu.")).to_be_visible()
    expect(page.locator(".notice.error").first).to_contain_text("Chưa được thu hoạch")
    entry = page.locator(".entry").filter(has_text="Score 250EC")
    entry.get_by_role("button", name="Huỷ mục").click()
    entry.get_by_role("button", name="Xác nhận huỷ").click()
    assert entry.get_by_label("Lý do huỷ").evaluate("(e) => e.validationMessage") == "Hãy ghi lý do huỷ."
    entry.get_by_label("Lý do huỷ").fill("Ghi nhầm ruộng")
    entry.get_by_role("button", name="Xác nhận huỷ").click()
    expect(page.get_by_text("Đã huỷ mục. Mục vẫn còn trong lịch sử.")).to_be_visible()
    voided = page.locator(".entry.voided").filter(has_text="Score 250EC")
    expect(voided.locator("del")).to_contain_text("Score 250EC")  # struck through, still there
    expect(voided).to_contain_text(
        f"Đã huỷ ngày {local_today():%d/%m/%Y} bởi Nguyễn Văn Hùng: Ghi nhầm ruộng"
    )
    expect(voided.get_by_role("button")).to_have_count(0)  # a voided entry is not edited again
    assert voided.locator("del").evaluate("(e) => getComputedStyle(e).textDecorationLine") == "line-through"
    expect(page.locator(".notice.ok").first).to_contain_text("Được thu hoạch")  # no longer locks
    voided.scroll_into_view_if_needed()
    shot(page, "diary-vi-voided")
    with app.extensions["ruongso"].db.session() as db:
        row = db.scalars(select(DiaryEntry).where(DiaryEntry.product_id == "score-250ec")).one()
        assert row.void_reason == "Ghi nhầm ruộng" and row.voided_at and row.voided_by

    page.get_by_role("link", name="Cài đặt").click()
    page.get_by_label("English").check()
    page.get_by_role("link", name="Diary").first.click()
    voided = page.locator(".entry.voided").filter(has_text="Score 250EC")
    expect(voided).to_contain_text(f"Voided on {local_today():%d/%m/%Y} by Nguyễn Văn Hùng: Ghi nhầm ruộng")
    page.get_by_label("What").select_option("fertiliser")
    expect(page.get_by_label("Product").locator("option", has_text="Urea")).to_have_count(1)
    voided.scroll_into_view_if_needed()
    shot(page, "diary-en-voided")
    ctx.close()
