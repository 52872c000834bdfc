"""Alerts that reach people, in headless Chromium against the real app (issue 18).

A farmer (phone) chooses SMS with no quiet hours in the inbox screen; an officer (tablet) draws an
alert on the map, reads the preview (who, by which channel) and sends it; the farmer's header
shows the unread count and the inbox shows the alert; the outbox worker sends the SMS to a local
server speaking the SMS provider's protocol; the officer's "sent alerts" tab shows each channel's
delivery state and who read it, and the officer withdraws it; the farmer sees it withdrawn.
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from demo.seed import seed
from ruongso.app import create_app
from server.config import Settings
from server.notify import worker
from tests.mobile_api.conftest import farmer_phone
from tests.mobile_api.seeding import serve
from tests.mobile_api.test_browser_officer_tech import open_page
from tests.mobile_api.test_officer_support import OFFICER
from tests.notify.providers import SpeedSms
from tests.services import SCREENSHOTS

pytestmark = pytest.mark.browser
TOKEN = "sms-browser-token"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str, SpeedSms]]:
    with SpeedSms(TOKEN).running() as sms:
        settings = Settings.from_env(
            data_dir=tmp_path_factory.mktemp("alerts-browser"),
            tsdb_url="embedded",
            secret_key="t",
            sms_http_url=sms.url + SpeedSms.PATH,
            sms_http_token=TOKEN,
        )
        app = create_app(settings)
        seed(app.extensions["ruongso"].db)
        with serve(app) as url:
            yield app, url, sms  # type: ignore[misc]
        app.extensions["ruongso"].store.close()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.getElementById('toast') && (document.getElementById('toast').hidden = true)")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_officer_alert_reaches_farmer_and_is_withdrawn(
    live: tuple[Flask, str, SpeedSms], browser: Browser
) -> None:
    app, url, sms = live
    ctx, farmer = farmer_phone(browser, url)
    farmer.goto(url + "/#/inbox")
    expect(farmer.get_by_text("Chưa có tin nào.")).to_be_visible()
    farmer.get_by_label("Tin nhắn SMS").check()
    farmer.get_by_label("Số điện thoại nhận SMS, Zalo").fill("0123")
    farmer.get_by_role("button", name="Lưu").click()
    expect(farmer.get_by_text("Số điện thoại chưa đúng. Ví dụ: 0912 345 678.")).to_be_visible()
    farmer.get_by_label("Số điện thoại nhận SMS, Zalo").fill("0912 000 001")
    farmer.get_by_label("Không nhắn từ (giờ)").fill("00:00")
    farmer.get_by_label("Đến (giờ)").fill("00:00")  # no quiet hours: the SMS may go at once
    farmer.get_by_role("button", name="Lưu").click()
    expect(farmer.get_by_text("Đã lưu.")).to_be_visible()

    officer, outside = open_page(browser, url, "/officer/", OFFICER)
    officer.select_option("#f-commune", label="xã Vĩnh Tường")
    expect(officer.locator("#map")).to_have_attribute("data-fields", "3")
    officer.locator("#map").click()  # the map is fitted to farm 1's fields: its centre is among them
    officer.fill(
        "#alert-form [name=message_vi]", "Đạo ôn cổ bông: phun thuốc trong 3 ngày tới, tránh lúc trời mưa."
    )
    officer.click("#alert-form button[type=submit]")
    preview = officer.locator("#alert-preview")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("1 người (chủ hộ) có 3 ruộng trong vùng này.")
    expect(preview.locator("dt")).to_have_text(
        ["Hộp thư trong ứng dụng", "Tin nhắn SMS"]
    )  # the farmer's choice
    expect(preview.locator("dd")).to_have_text(["1 gửi ngay", "1 gửi ngay"])
    preview.get_by_text("Danh sách người nhận").click()
    expect(preview.locator("details li")).to_have_text(
        ["Nguyễn Văn Hùng: Hộp thư trong ứng dụng (gửi ngay), Tin nhắn SMS (gửi ngay)"]
    )
    preview.scroll_into_view_if_needed()
    officer.screenshot(path=str(SCREENSHOTS / "alerts-officer-preview.png"))
    officer.get_by_role("button", name="Gửi ngay").click()
    expect(officer.locator("#toast")).to_contain_text("Đã gửi tới hộp thư của 1 người (3 ruộng); 1 tin SMS")
    expect(preview).to_be_hidden()
    assert outside == []

    farmer.goto(url + "/#/home")
    badge = farmer.locator("#inbox-link")
    expect(badge).to_have_text("Hộp thư (1 mới)")
    badge.click()
    item = farmer.locator("article.inbox-item").first
    expect(item).to_contain_text("Đạo ôn cổ bông: phun thuốc trong 3 ngày tới")
    expect(item.get_by_text("Mới")).to_be_visible()
    shot(farmer, "alerts-farmer-inbox")

    assert worker.drain(app.extensions["ruongso"]) == {"sent": 1}  # the job cron runs every minute
    assert sms.accepted[-1]["to"] == ["84912000001"]

    officer.click("#tabs [data-tab=alerts]")
    card = officer.locator("article.sent-alert").first
    expect(card).to_contain_text("1 người nhận, 1 người đã đọc")
    expect(card.locator("dt")).to_have_text(["Hộp thư trong ứng dụng", "Tin nhắn SMS"])
    expect(card.locator("dd")).to_have_text(["1 đã gửi", "1 đã gửi"])
    shot(officer, "alerts-officer-sent")
    withdraw = card.get_by_role("button", name="Rút lại cảnh báo")
    withdraw.click()
    card.get_by_role("button", name="Bấm lần nữa để rút lại").click()
    expect(officer.locator("#toast")).to_contain_text("Đã rút lại")
    expect(card.locator(".badge-withdrawn")).to_contain_text("Đã rút lại lúc")
    shot(officer, "alerts-officer-withdrawn")

    farmer.reload()
    item = farmer.locator("article.inbox-item").first
    expect(item).to_have_attribute("data-state", "withdrawn")
    expect(item).to_contain_text("Cán bộ khuyến nông đã rút lại cảnh báo này")
    expect(farmer.locator("#inbox-link")).to_have_text("Hộp thư")
    shot(farmer, "alerts-farmer-withdrawn")
    ctx.close()
    officer.context.close()

    # The officer's list on a phone: readable without sideways scrolling.
    small, _ = open_page(browser, url, "/officer/#alerts", OFFICER, phone=True)
    card = small.locator("article.sent-alert").first
    expect(card.locator(".badge-withdrawn")).to_be_visible()
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    shot(small, "alerts-officer-phone")
    small.context.close()


def test_service_worker_shows_a_push_and_opens_the_inbox(
    live: tuple[Flask, str, SpeedSms], browser: Browser
) -> None:
    """The browser hands the decrypted push payload to the app's service worker (delivered here
    through the DevTools protocol, as the push service would): it shows the notification with the
    alert's title and words."""
    _, url, _ = live
    ctx, farmer = farmer_phone(browser, url)
    ctx.grant_permissions(["notifications"], origin=url)
    farmer.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = ctx.new_cdp_session(farmer)
    registrations: list[str] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda ev: registrations.extend(
            r["registrationId"] for r in ev["registrations"] if not r["isDeleted"]
        ),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        farmer.wait_for_timeout(100)
    assert registrations, "the app registered no service worker"
    payload = json.dumps(
        {"title": "Cảnh báo đạo ôn", "body": "Phun thuốc trong 3 ngày tới.", "url": "/#/inbox", "alert": 7}
    )
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": url, "registrationId": registrations[-1], "data": payload},
    )
    shown: list[str] = []
    for _ in range(50):  # the service worker shows it asynchronously
        shown = farmer.evaluate(
            "navigator.serviceWorker.ready.then((r) => r.getNotifications())"
            ".then((ns) => ns.map((n) => `${n.title}|${n.body}|${n.tag}`))"
        )
        if shown:
            break
        farmer.wait_for_timeout(100)
    assert shown == ["Cảnh báo đạo ôn|Phun thuốc trong 3 ngày tới.|alert-7"]
    ctx.close()
