"""Officer pages on a tablet (1024×768) and a phone (390×844) in headless Chromium, real app (issue 18).

The map reads with no internet: commune boundaries from the imported layer with their names, a
legend for every layer, popups on a tap with Vietnamese disease names (never a classifier code),
and three photos from one farm painting one farm's density. The review desk gets a sample of the
model's confident answers and offers any class, another crop, not a plant and "can't tell"; the
agreement table follows the decisions. The report has farm rows and downloads a real XLSX and a
PDF. No page is wider than the phone. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from server.officer import boundaries
from tests.mobile_api.seeding import serve
from tests.mobile_api.test_browser_officer_tech import open_page, shot
from tests.mobile_api.test_officer_support import FARMER_1, OFFICER, confident, login, make_app, upload_photo

pytestmark = pytest.mark.browser
FIXTURE = (
    Path(__file__).resolve().parents[2] / "server" / "officer" / "data" / "test-fixture-communes.geojson"
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = make_app(tmp_path_factory.mktemp("browser-officer-field"), history_days=1)
    boundaries.install(FIXTURE, Path(app.config["RUONGSO_SETTINGS"].data_dir))
    farmer, officer = login(app, FARMER_1), login(app, OFFICER)
    for i in range(3):  # three photos from one farm, one field: one outbreak site
        diag = upload_photo(farmer, 1, f"field-blast-{i}")
        officer.post(
            f"/api/v1/officer/reviews/{diag['id']}", json={"action": "correct", "label": "rice__blast"}
        )
    with serve(app) as url:
        yield app, url
    app.extensions["ruongso"].store.close()


def no_sideways_scroll(page: Page) -> None:
    """The page is no wider than the screen (a phone browser would zoom out to fit a wider one, so
    the layout viewport is compared with the device's width, not with ``innerWidth``)."""
    assert page.viewport_size is not None
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.mark.parametrize("phone", [False, True], ids=["tablet", "phone"])
def test_map_reads_offline_with_legend_and_tap_popups(
    live: tuple[Flask, str], browser: Browser, phone: bool
) -> None:
    _, url = live
    page, outside = open_page(browser, url, "/officer/", OFFICER, phone=phone)
    expect(page.locator("#map")).to_have_attribute("data-fields", "6")
    labels = page.locator(".commune-label")
    expect(labels).to_have_count(4)
    expect(page.locator(".commune-label.mine")).to_have_count(3)
    expect(labels.filter(has_text="xã Vĩnh Tường")).to_be_visible()
    legend = page.locator("#legend")
    expect(legend.locator(".legend-group")).to_have_count(5)
    headings = [h.split(" (")[0] for h in legend.locator(".legend-group > strong").all_inner_texts()]
    assert headings == ["Ruộng", "Trạm cảm biến", "Mật độ ổ dịch", "Ca bệnh", "Ranh giới xã"]
    expect(legend).to_contain_text("TEST FIXTURE")
    expect(page.locator("#map path.case")).to_have_count(1)  # three photos at one field: one marker
    expect(page.locator("#outbreak-totals")).to_contain_text("3 ca đã xác nhận")
    case = page.locator("#map path.case").first
    if phone:
        case.tap()
    else:
        case.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator("li")).to_have_count(3)
    expect(popup.locator("li").first).to_contain_text("Bệnh đạo ôn — đã xác nhận")
    assert "rice__" not in popup.inner_text()
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in
    shot(page, f"officer-map-offline-{'phone' if phone else 'tablet'}", full=phone)
    page.locator(".leaflet-popup-close-button").click()
    expect(popup).to_have_count(0)
    node = page.locator("#map path.node").last  # the first sits under the case marker
    if phone:
        node.tap()
    else:
        node.click()
    expect(popup).to_contain_text("Trạm")
    assert page.locator(".leaflet-tile").count() == 0 and outside == []
    no_sideways_scroll(page)
    page.click("#lang")
    expect(legend.locator(".legend-group > strong").last).to_have_text("Commune boundaries")
    page.context.close()


def test_one_farm_is_one_density_site(live: tuple[Flask, str]) -> None:
    app, _ = live
    body = login(app, OFFICER).get("/api/v1/officer/outbreak").get_json()
    assert body["farms"] == 1 and len(body["cases"]) == 3
    assert max(c["level"] for c in body["cells"]) <= 2  # one farm: never the darkest colours


@pytest.mark.parametrize("phone", [False, True], ids=["tablet", "phone"])
def test_review_desk_sample_outcomes_and_agreement(
    live: tuple[Flask, str], browser: Browser, phone: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, url = live
    monkeypatch.setenv("RUONGSO_REVIEW_SAMPLE_RATE", "1")
    ids = confident(app, 2, "rice__brown_spot", 2, f"browser-sample-{phone}")
    page, _ = open_page(browser, url, "/officer/#review", OFFICER, phone=phone)
    card = page.locator(f"article.review[data-id='{ids[0]}']")
    expect(card).to_be_visible()
    expect(card.locator(".status")).to_contain_text("Mẫu kiểm tra")
    select = card.locator("select.label-select")
    groups = select.locator("optgroup")
    assert groups.count() >= 5  # every crop's classes, then the other answers
    assert groups.nth(0).get_attribute("label") == "Lúa"  # the field's crop first
    options = select.locator("option").all_inner_texts()
    for text in ("Không phải cây trồng", "Cây trồng khác (không có trong danh sách)", "Không xác định được"):
        assert text in options
    assert not any("__" in o for o in options)
    shot(page, f"officer-review-sample-{'phone' if phone else 'tablet'}", full=True)
    select.select_option("not_plant")
    card.get_by_role("button", name="Sửa kết quả").click()
    expect(card).to_have_count(0)
    other = page.locator(f"article.review[data-id='{ids[1]}']")
    other.get_by_role("button", name="Xác nhận").click()
    expect(other).to_have_count(0)
    row = page.locator("#agreement tr[data-label='rice__brown_spot']")
    expect(row.locator("td").first).to_have_text("Bệnh tiêm lửa (đốm nâu)")
    expect(row.locator("td").nth(5)).to_have_text("50%")
    assert "rice__" not in row.inner_text()
    shot(page, f"officer-agreement-{'phone' if phone else 'tablet'}", full=True)
    no_sideways_scroll(page)
    page.context.close()


@pytest.mark.parametrize("phone", [False, True], ids=["tablet", "phone"])
def test_report_farm_rows_and_downloads(
    live: tuple[Flask, str], browser: Browser, phone: bool, tmp_path: Path
) -> None:
    _, url = live
    page, _ = open_page(browser, url, "/officer/#report", OFFICER, phone=phone)
    expect(page.locator("#report-body tr")).to_have_count(3)
    expect(page.locator("#report-farm-body tr")).to_have_count(2)
    expect(page.locator("#report-farm-body")).to_contain_text("Trang trại Nguyễn Văn Hùng")
    with page.expect_download() as got:
        page.click("#report-xlsx")
    path = tmp_path / "report.xlsx"
    got.value.save_as(path)
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert book.sheetnames[0] == "Theo xã" and book["Theo xã"].max_row == 4
    with page.expect_download() as got:
        page.click("#report-pdf")
    pdf = tmp_path / "report.pdf"
    got.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    with page.expect_download() as got:
        page.click("#report-csv")
    csv_file = tmp_path / "report.csv"
    got.value.save_as(csv_file)
    assert csv_file.read_bytes().decode("utf-8").lstrip("\ufeff").startswith("Xã;Số hộ;")
    shot(page, f"officer-report-farms-{'phone' if phone else 'tablet'}", full=True)
    no_sideways_scroll(page)
    page.context.close()
