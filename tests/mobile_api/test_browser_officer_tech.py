"""Officer (tablet 1024×768) and technician (phone 390×844) pages in headless Chromium, real app.

The officer sees only their communes, the map draws fields and nodes with no tile server (and no
request leaves the machine), a review-desk correction reaches the farmer and the training export.
The technician provisions a node (GPS fix), calibrates it and sees it go from "new" to "online"
when the node reports through the gateway ingest endpoint; a registration made offline is queued
and sent when the phone is back online, and the page opens from the service worker's cache with
no network. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Literal

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Route, ViewportSize, expect

from server.registry.models import Node
from tests.mobile_api.seeding import serve
from tests.mobile_api.test_officer_support import (
    FARMER_1,
    OFFICER,
    OFFICER_TAM_DUONG,
    TECHNICIAN,
    gateway_token,
    login,
    make_app,
    post_frame,
    upload_photo,
)
from tests.services import SCREENSHOTS

pytestmark = pytest.mark.browser
TABLET: ViewportSize = {"width": 1024, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = make_app(tmp_path_factory.mktemp("browser-ot"), history_days=1)
    with serve(app) as url:
        yield app, url
    app.extensions["ruongso"].store.close()


def shot(page: Page, name: str, full: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.getElementById('toast').hidden = true")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full)


def open_page(
    browser: Browser,
    url: str,
    path: str,
    creds: dict[str, str],
    phone: bool = False,
    service_workers: Literal["allow", "block"] = "allow",
) -> tuple[Page, list[str]]:
    """Signed in on ``path``; every request that is not to the app is refused and recorded."""
    ctx = browser.new_context(
        service_workers=service_workers,
        viewport=PHONE if phone else TABLET,
        is_mobile=phone,
        has_touch=phone,
        geolocation={"latitude": 21.23412, "longitude": 105.49263},
        permissions=["geolocation"],
    )
    outside: list[str] = []

    def guard(route: Route) -> None:
        if route.request.url.startswith(url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    ctx.route("**/*", guard)
    page = ctx.new_page()
    page.goto(url + path)
    page.fill("#login [name=phone]", creds["phone"])
    page.fill("#login [name=password]", creds["password"])
    page.click("#login button[type=submit]")
    expect(page.locator("body[data-ready='1']")).to_be_attached(timeout=20000)
    return page, outside


def test_officer_map_only_own_communes_without_tiles(live: tuple[Flask, str], browser: Browser) -> None:
    _, url = live
    page, outside = open_page(browser, url, "/officer/", OFFICER_TAM_DUONG)
    expect(page.locator("#map")).to_have_attribute("data-fields", "3")
    assert page.locator("#f-commune option").all_inner_texts()[1:] == ["xã Tam Dương"]
    assert page.locator("#communes .commune").count() == 1
    page.context.close()

    page, outside = open_page(browser, url, "/officer/", OFFICER)
    expect(page.locator("#map")).to_have_attribute("data-fields", "6")
    page.select_option("#f-commune", label="xã Vĩnh Tường")
    expect(page.locator("#map")).to_have_attribute("data-fields", "3")
    expect(page.locator("#map path.field")).to_have_count(3)
    expect(page.locator("#map path.node")).to_have_count(5)
    assert page.locator(".leaflet-tile").count() == 0 and outside == []
    page.locator("#map path.field").first.dispatch_event("click")
    expect(page.locator("#summary")).to_be_visible()
    shot(page, "officer-map")
    page.click("#tabs [data-tab=report]")
    expect(page.locator("#report-body tr")).to_have_count(3)
    shot(page, "officer-report")
    page.click("#lang")
    expect(page.locator("#tabs [data-tab=map]")).to_have_text("Map")
    page.context.close()


def test_review_correction_reaches_farmer_and_export(live: tuple[Flask, str], browser: Browser) -> None:
    app, url = live
    farmer = login(app, FARMER_1)
    diag = upload_photo(farmer, 3, "browser-review-0001")
    page, _ = open_page(browser, url, "/officer/#review", OFFICER)
    card = page.locator(f"article.review[data-id='{diag['id']}']")
    expect(card).to_be_visible()
    expect(card.locator(".photos img")).to_have_count(1)
    shot(page, "officer-review")
    card.locator("select.label-select").select_option("tomato__early_blight")
    card.locator("textarea").fill("Bệnh đốm vòng — phun theo khuyến cáo, cách ly 7 ngày")
    card.get_by_role("button", name="Sửa kết quả").click()
    expect(page.locator("#toast")).to_contain_text("Đã sửa")
    expect(card).to_have_count(0)
    seen = farmer.get("/api/v1/app/fields/3/diagnoses").get_json()["diagnoses"]
    mine = next(d for d in seen if d["id"] == diag["id"])
    assert mine["review"]["status"] == "corrected" and mine["review"]["label"] == "tomato__early_blight"
    export = login(app, OFFICER).get("/api/v1/officer/training-export").get_data(as_text=True)
    assert any(r["label"] == "tomato__early_blight" for r in csv.DictReader(io.StringIO(export)))
    page.click("#tabs [data-tab=map]")
    page.select_option("#f-commune", label="xã Vĩnh Tường")
    expect(page.locator("#map")).to_have_attribute("data-fields", "3")
    page.select_option("#colour-by", "diagnoses")
    expect(page.locator("#map path.field.f-confirmed")).to_have_count(1)
    expect(page.locator("#outbreak-totals")).to_contain_text("1 ca đã xác nhận")
    shot(page, "officer-outbreak")
    page.context.close()


def test_technician_provisions_calibrates_and_sees_it_online(
    live: tuple[Flask, str], browser: Browser
) -> None:
    app, url = live
    page, outside = open_page(browser, url, "/tech/", TECHNICIAN, phone=True)
    expect(page.locator("article.node")).to_have_count(12)
    page.click("#tabs [data-tab=provision]")
    page.fill("#provision [name=node_id]", "8901")
    page.select_option("#provision [name=field_id]", "2")
    page.click("#gps")
    expect(page.locator("#provision [name=lat]")).to_have_value("21.234120")
    page.fill("#provision [name=probe_depth_cm]", "30")
    page.click("#provision button[type=submit]")
    expect(page.locator("#made img.qr")).to_be_visible()
    shot(page, "tech-provision", full=True)
    page.click("#tabs [data-tab=fleet]")
    expect(page.locator("article.node[data-node='8901']")).to_have_attribute("data-state", "new")
    expect(page.locator("#visits li.visit[data-node='8901']")).to_contain_text("Chưa từng gửi dữ liệu")
    shot(page, "tech-fleet")

    token = gateway_token(app)
    post_frame(
        app, token, 8901, 1, {"soil_raw": 2310, "battery": 4.05, "rssi": -70, "config_version": 1}, age_s=60
    )
    page.click("#tabs [data-tab=calibrate]")
    page.select_option("#calibrate [name=node]", "8901")
    page.click("#calibrate [data-read=dry_mv]")
    expect(page.locator("#calibrate [name=dry_mv]")).to_have_value("2310")
    page.fill("#calibrate [name=wet_mv]", "1120")
    page.click("#calibrate button[type=submit]")
    expect(page.locator("#cal-history li.cal")).to_have_count(1)
    shot(page, "tech-calibrate", full=True)

    post_frame(app, token, 8901, 2, {"soil_raw": 1800, "battery": 4.04, "rssi": -72, "config_version": 2})
    page.click("#tabs [data-tab=fleet]")
    expect(page.locator("article.node[data-node='8901']")).to_have_attribute("data-state", "online")
    page.click("#tabs [data-tab=config]")
    page.select_option("#config [name=node]", "8901")
    expect(page.locator("#config-status [data-pending='false']")).to_be_visible()
    shot(page, "tech-config", full=True)
    assert outside == []
    page.context.close()


# "block": the phone went offline before the service worker kept a copy of the setup answer
# (a race on the first visit); the queued registration must show all the same.
@pytest.mark.parametrize("service_workers", ["allow", "block"])
def test_provisioning_offline_is_queued_and_sent_later(
    live: tuple[Flask, str], browser: Browser, service_workers: Literal["allow", "block"]
) -> None:
    app, url = live
    page, _ = open_page(
        browser, url, "/tech/#provision", TECHNICIAN, phone=True, service_workers=service_workers
    )
    expect(page.locator("#provision [name=field_id] option").first).to_be_attached()
    node_id = 8902 if service_workers == "allow" else 8903
    page.fill("#provision [name=node_id]", str(node_id))
    page.fill("#provision [name=lat]", "21,2352")  # Vietnamese decimal comma
    page.fill("#provision [name=lon]", "105.4939")
    page.context.set_offline(True)
    page.click("#provision button[type=submit]")
    expect(page.locator("#queue-note")).not_to_be_empty()
    expect(page.locator("#net")).to_be_visible()
    with app.extensions["ruongso"].db.session() as s:
        assert s.get(Node, node_id) is None
    page.context.set_offline(False)
    expect(page.locator("#net")).to_be_hidden()
    page.wait_for_function(
        "(id) => fetch('/api/v1/tech/fleet').then(r => r.json()).then(b => b.nodes.some(n => n.id === id))",
        arg=node_id,
        timeout=10000,
    )
    with app.extensions["ruongso"].db.session() as s:
        node = s.get(Node, node_id)
        assert node is not None and node.lat == pytest.approx(21.2352)
    if service_workers == "block":
        page.context.close()
        return
    page.goto(url + "/tech/?again=1#fleet")  # now under the service worker, which keeps the answers
    expect(page.locator("article.node[data-node='8902']")).to_be_visible()
    page.evaluate("navigator.serviceWorker.ready")
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("body[data-ready='1']")).to_be_attached()
    expect(page.locator("article.node[data-node='8902']")).to_be_visible()
    page.context.set_offline(False)
    page.context.close()
