"""The public lot page (what a buyer or officer opens from the QR code) on 360–412 px phones (issue 18):
a compliant lot and a flagged one, long product names included, never wider than the screen, and
every text dark enough on its background (WCAG AA 4.5:1, as Lighthouse's contrast audit checks).
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from common.timezone import local_today
from server.farm.models import Lot
from tests.mobile_api.seeding import serve
from tests.mobile_api.test_officer_support import FARMER_1, login, make_app
from tests.services import SCREENSHOTS

pytestmark = pytest.mark.browser
FLAGGED = "RS261101-0F1A6D"

# Relative luminance and contrast ratio as WCAG 2.1 defines them (§1.4.3, "relative luminance").
CONTRAST_JS = """() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  const bg = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(`${el.tagName}.${el.className} ${ratio.toFixed(2)}`);
  }
  return low;
}"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str, str]]:
    app = make_app(tmp_path_factory.mktemp("lot-page"), history_days=1)
    farmer = login(app, FARMER_1)
    ok = farmer.post(
        "/api/v1/app/lots", json={"idempotency_key": uuid.uuid4().hex, "field_id": 2, "quantity_kg": 1250}
    )
    assert ok.status_code == 201, ok.get_json()
    spray = {
        "idempotency_key": uuid.uuid4().hex,
        "field_id": 1,
        "kind": "spray",
        "product_name": "Regent 800WG thuốc trừ sâu dạng hạt phân tán trong nước",
        "actives": ["fipronil"],
        "amount": 1,
        "phi_days": 7,
        "applied_on": (local_today() - timedelta(days=30)).isoformat(),
    }
    assert farmer.post("/api/v1/app/diary", json=spray).status_code == 201
    with app.extensions["ruongso"].db.session() as db:  # a lot made before the compliance gate existed
        db.add(Lot(code=FLAGGED, idempotency_key=uuid.uuid4().hex, field_id=1, crop="rice", market="VN",
                   harvest_date=local_today(), quantity_kg=1250, created_at=0))  # fmt: skip
    with serve(app) as url:
        yield app, url, ok.get_json()["code"]
    app.extensions["ruongso"].store.close()


@pytest.mark.parametrize("width", [360, 390, 412])
def test_lot_page_fits_small_phones_and_reads(
    live: tuple[Flask, str, str], browser: Browser, width: int
) -> None:
    _, url, code = live
    ctx = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    for lot, name in ((code, "ok"), (FLAGGED, "flagged")):
        page.goto(f"{url}/lot/{lot}")
        expect(page.locator("h1")).to_contain_text(lot)
        if name == "flagged":
            expect(page.get_by_role("alert")).to_contain_text("fipronil")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, (name, wide)
        assert page.evaluate(CONTRAST_JS) == [], name
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"lot-page-{name}-{width}.png"), full_page=True)
    ctx.close()
