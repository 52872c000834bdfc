"""The review loop in Chromium through the real app: a farmer's phone and an officer's tablet.

A rice-blast photo on a rice field is answered with the disease and its permitted products; the
officer asks for more photos, the farmer sees it (home and photo screen) and answers with photos;
the officer corrects the diagnosis and the farmer reads the corrected disease with its products,
in Vietnamese and in English, and disputes it; an officer's area alert reaches the farmer's home
screen; the photo form files every photo under the field it shows. Screenshots of the farmer's
photo history and the officer's review desk (vi and en) go to test-artifacts/screenshots/.

The classifier is the suite's stand-in (the ``ruongso.diagnoser`` extension): the shipped model
cannot be made to say "rice blast" on a synthetic image. The vocabulary the answer is worded and
treated from is the real one (test_disease_vocabulary walks the shipped model's labels).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Browser, FilePayload, Page, expect
from sqlalchemy import select

from server.farm.diagnosis import EXTENSION
from server.farm.models import Diagnosis
from server.officer.models import AlertField
from tests.mobile_api.conftest import farmer_phone
from tests.mobile_api.seeding import seeded_app, serve
from tests.mobile_api.test_browser_officer_tech import open_page
from tests.mobile_api.test_officer_support import OFFICER
from tests.services import SCREENSHOTS

pytestmark = pytest.mark.browser
GREEN, BROWN = "#2e7d32", "#8d6e63"
SICK = {"rice": "rice__blast", "tomato": "tomato__late_blight", "corn": "corn__common_rust"}


@dataclass
class StandInAnswer:
    crop: str
    confident: bool

    def to_dict(self) -> dict[str, Any]:
        label = SICK.get(self.crop, f"{self.crop}__healthy")
        first, second = (0.91, 0.05) if self.confident else (0.44, 0.31)
        top3 = [
            {"label": label, "confidence": first},
            {"label": f"{self.crop}__healthy", "confidence": second},
        ]
        return {
            "label": label if self.confident else None,
            "confidence": top3[0]["confidence"],
            "abstained": not self.confident,
            "reason": "ok" if self.confident else "low_confidence",
            "message_vi": "(ignored: the app words answers itself)",
            "message_en": "(ignored)",
            "top3": top3,
        }


class StandIn:
    """Green photos: the crop's disease with confidence; brown ones: not sure (to the officer)."""

    def diagnose(self, data: bytes, crop: str | None = None) -> StandInAnswer:
        r, g, _b = Image.open(io.BytesIO(data)).convert("RGB").getpixel((5, 5))  # type: ignore[misc]
        return StandInAnswer(crop or "rice", confident=g > r)

    def combine(self, each: list[StandInAnswer]) -> StandInAnswer:
        return StandInAnswer(each[0].crop, all(a.confident for a in each))


def photo(colour: str) -> FilePayload:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return FilePayload(name="la.jpg", mimeType="image/jpeg", buffer=out.getvalue())


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = seeded_app(tmp_path_factory.mktemp("browser-review"), history_days=1)
    app.extensions[EXTENSION] = StandIn()
    with serve(app) as url:
        yield app, url
    app.extensions["ruongso"].store.close()


def shot(page: Page, name: str, at: str | None = None) -> None:
    """The screen as the person sees it, scrolled to ``at`` (a selector) when given."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if at is not None:
        page.locator(at).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))




def latest(app: Flask) -> Diagnosis | None:
    with app.extensions["ruongso"].db.session() as db:
        d = db.scalars(select(Diagnosis).order_by(Diagnosis.id.desc()).limit(1)).one_or_none()
        if d is not None:
            db.expunge(d)
        return d


def send_photo(page: Page, app: Flask, field_id: int | None, colour: str) -> Diagnosis:
    """Send one photo from the photo screen; the diagnosis it made, once its answer is drawn."""
    before = latest(app)
    page.get_by_role("link", name="Chụp lá").click()
    if field_id is not None:
        page.get_by_label("Chọn ruộng").select_option(str(field_id))
    page.get_by_label("Ảnh (1 đến 5 ảnh của cùng một cây)").set_input_files([photo(colour)])
    page.get_by_role("button", name="Gửi ảnh").click()
    new_id = (before.id if before else 0) + 1
    expect(page.locator(f".dx-history article.dx[data-id='{new_id}']")).to_be_visible()
    made = latest(app)
    assert made is not None and made.id == new_id
    return made


def test_a_rice_blast_photo_is_named_with_its_treatments(live: tuple[Flask, str], browser: Browser) -> None:
    app, url = live
    ctx, page = farmer_phone(browser, url)
    made = send_photo(page, app, 1, GREEN)  # Ruộng lúa Đồng Trước
    answer = page.locator("article.dx").first
    expect(answer).to_contain_text("Bệnh đạo ôn")
    expect(answer.locator(".treatments h3")).to_have_text("Thuốc được phép dùng trị Bệnh đạo ôn")
    expect(answer.locator(".treatments li")).to_have_count(4)
    expect(answer.locator(".treatments")).to_contain_text("Beam 75WP")
    expect(answer.locator(".treatments")).not_to_contain_text("Bavistin")  # carbendazim: banned in Vietnam
    assert made.field_id == 1 and made.label == "rice__blast"
    shot(page, "vi-photo-rice-blast", ".dx-history article.dx")
    ctx.close()


def test_the_photo_form_files_each_photo_under_the_field_it_shows(
    live: tuple[Flask, str], browser: Browser
) -> None:
    app, url = live
    ctx, page = farmer_phone(browser, url)
    picker = page.get_by_label("Chọn ruộng")
    filed = []
    for choose in (3, None, 1, None):  # tomato garden, send again as shown, rice field, again
        made = send_photo(page, app, choose, GREEN)
        filed.append((made.field_id, int(picker.input_value())))
    assert filed == [(3, 3), (3, 3), (1, 1), (1, 1)]
    ctx.close()


def test_officer_asks_corrects_and_warns_and_the_farmer_sees_each(
    live: tuple[Flask, str], browser: Browser
) -> None:
    app, url = live
    ctx, farmer = farmer_phone(browser, url)
    diag = send_photo(farmer, app, 2, BROWN)  # Ruộng lúa Đồng Sau; the model is not sure
    assert diag.field_id == 2 and diag.review_status == "pending"
    mine = farmer.locator(f".dx-history article.dx[data-id='{diag.id}']")
    expect(mine.locator(".review-state")).to_have_text("Đang chờ cán bộ khuyến nông trả lời.")

    officer, _ = open_page(browser, url, "/officer/#review", OFFICER)
    officer.wait_for_load_state("networkidle")
    card = officer.locator(f"article.review[data-id='{diag.id}']")
    expect(card.locator(".guesses")).to_contain_text("Bệnh đạo ôn 44%")
    officer.evaluate("document.getElementById('toast').hidden = true")
    shot(officer, "officer-review-desk-vi")
    officer.click("#lang")
    expect(card.locator(".guesses")).to_contain_text("Rice blast 44%")
    shot(officer, "officer-review-desk-en")
    officer.click("#lang")
    expect(card.locator(".guesses")).to_contain_text("Bệnh đạo ôn")

    # 1. "Send more photos": the farmer reads it on the home screen and answers from the photo screen.
    card.locator("textarea").fill("Chụp thêm lá gần gốc, cả mặt dưới lá")
    card.get_by_role("button", name="Xin thêm ảnh").click()
    expect(card).to_have_count(0)
    farmer.get_by_role("link", name="Hôm nay").click()
    reply = farmer.locator(".dx-replies li.dx-reply[data-state='more_photos_requested']")
    expect(reply).to_contain_text("Ruộng lúa Đồng Sau: cán bộ cần thêm ảnh — Chụp thêm lá gần gốc")
    reply.get_by_role("link", name="Xem ảnh và trả lời").click()
    expect(mine.locator(".review-state")).to_have_text(
        "Cán bộ khuyến nông cần thêm ảnh: Chụp thêm lá gần gốc, cả mặt dưới lá"
    )
    assert farmer.get_by_label("Chọn ruộng").input_value() == "2"
    mine.get_by_label("Ảnh chụp thêm").set_input_files([photo("#6d4c41"), photo("#795548")])
    mine.get_by_role("button", name="Gửi thêm ảnh cho cán bộ").click()
    expect(mine.locator(".review-state")).to_have_text("Đang chờ cán bộ khuyến nông trả lời.")
    expect(mine.locator(".dx-photos img")).to_have_count(3)

    # 2. A correction: the farmer reads the corrected disease and its products, in vi and en.
    officer.reload()  # on #review: the desk loads its list (once the page settles, nothing redraws it)
    expect(officer.locator("body[data-ready='1']")).to_be_attached()
    officer.wait_for_load_state("networkidle")
    expect(card.locator(".photos img")).to_have_count(3)
    card.locator("select.label-select").select_option("rice__blast")
    card.locator("textarea").fill("Đạo ôn lá: phun thuốc, không bón thêm đạm")
    card.get_by_role("button", name="Sửa kết quả").click()
    expect(card).to_have_count(0)
    farmer.reload()
    expect(mine.locator(".review-state")).to_have_text("Cán bộ khuyến nông sửa kết quả thành: Bệnh đạo ôn")
    expect(mine.locator(".officer-note")).to_have_text(
        "Lời dặn của cán bộ: Đạo ôn lá: phun thuốc, không bón thêm đạm"
    )
    expect(mine.locator(".treatments li")).to_have_count(4)
    shot(farmer, "vi-photo-history", f".dx-history article.dx[data-id='{diag.id}'] .review-state")

    # 3. An area alert the officer draws on the map reaches the farmer's home screen.
    officer.click("#tabs [data-tab=map]")
    officer.select_option("#f-commune", label="xã Vĩnh Tường")
    expect(officer.locator("#map")).to_have_attribute("data-fields", "3")
    target = None
    for path in officer.locator("#map path.field").all():
        path.dispatch_event("click")
        if officer.locator("#summary h2").inner_text() == "Ruộng lúa Đồng Sau":
            target = path.bounding_box()
            break
    assert target is not None
    # The officer clicks the map just beside the field (a field's own click opens its summary):
    # that point becomes the alert's centre, and its circle is drawn.
    x0, y0, w, h = target["x"], target["y"], target["width"], target["height"]
    for x, y in (
        (x0 - 12, y0 + h / 2),
        (x0 + w + 12, y0 + h / 2),
        (x0 + w / 2, y0 - 12),
        (x0 + w / 2, y0 + h + 12),
    ):
        officer.mouse.click(x, y)
        if officer.locator("#map path[stroke-dasharray]").count():
            break
    expect(officer.locator("#map path[stroke-dasharray]")).to_have_count(1)
    form = officer.locator("#alert-form")
    form.locator("[name=radius]").fill("300")
    form.locator("[name=severity]").select_option("urgent")
    form.get_by_label("Bệnh (không bắt buộc)").select_option(label="Bệnh đạo ôn")  # from the disease table
    form.locator("[name=message_vi]").fill("Đạo ôn đang lan: thăm đồng, phun khi thấy vết bệnh")
    form.locator("[name=message_en]").fill("Blast is spreading: check fields, spray at first spots")
    form.get_by_role("button", name="Gửi cảnh báo").click()
    # Before anything goes out the officer sees who it reaches (the preview), then confirms.
    expect(officer.locator("#alert-preview")).to_contain_text("người")
    officer.locator("#alert-confirm").click()
    expect(officer.locator("#toast")).to_contain_text("Đã gửi tới hộp thư của")
    with app.extensions["ruongso"].db.session() as db:
        reached = {f for (f,) in db.execute(select(AlertField.field_id))}
    assert 2 in reached
    farmer.get_by_role("link", name="Hôm nay").click()
    warning = farmer.locator(".area-alerts li.area-alert").first
    expect(warning.locator("strong")).to_have_text(
        "Khẩn: Cán bộ khuyến nông báo: bệnh đạo ôn đang có trong vùng của bạn. Hãy thăm ruộng."
    )
    expect(warning).to_contain_text("Đạo ôn đang lan: thăm đồng, phun khi thấy vết bệnh")
    expect(warning.locator("p.why").last).to_contain_text("Ruộng trong vùng:")
    expect(warning.locator("p.why").last).to_contain_text("Ruộng lúa Đồng Sau")
    expect(farmer.locator(".dx-replies li.dx-reply[data-state='corrected']")).to_contain_text(
        "Ruộng lúa Đồng Sau: cán bộ sửa kết quả thành Bệnh đạo ôn"
    )
    shot(farmer, "vi-home-officer-news", ".area-alerts")

    # 4. The same in English; then the farmer disagrees and the case is back on the desk.
    farmer.get_by_role("link", name="Cài đặt").click()
    farmer.get_by_label("English").check()
    farmer.get_by_role("link", name="Today").click()
    expect(farmer.locator(".area-alerts li.area-alert").first).to_contain_text(
        "Urgent: Extension officer: rice blast has been found in your area. Check your fields."
    )
    expect(farmer.locator(".area-alerts li.area-alert").first).to_contain_text(
        "Blast is spreading: check fields, spray at first spots"
    )
    shot(farmer, "en-home-officer-news", ".area-alerts")
    farmer.get_by_role("link", name="Photo", exact=True).click()
    expect(mine.locator(".review-state")).to_have_text("The extension officer corrected it to: Rice blast")
    expect(mine.locator(".treatments h3")).to_have_text("Permitted products for Rice blast")
    shot(farmer, "en-photo-history", f".dx-history article.dx[data-id='{diag.id}'] .review-state")
    mine.get_by_role("button", name="Wrong answer? Tell the officer").click()
    mine.get_by_label("What do you see on the plant? (optional)").fill("Vết bệnh hình thoi, xám ở giữa")
    mine.get_by_role("button", name="Send to the extension officer").click()
    expect(mine.locator(".review-state")).to_have_text(
        "You said the answer is wrong — the extension officer will look again."
    )
    officer.click("#tabs [data-tab=review]")
    expect(card.locator(".farmer-note")).to_have_text(
        "Nông dân báo kết quả chưa đúng: Vết bệnh hình thoi, xám ở giữa"
    )
    shot(officer, "officer-review-desk-disputed-vi")
    officer.context.close()
    ctx.close()
