"""Issue 18, the technician's pages in headless Chromium on the real app, at phone size (390×844,
Android) and tablet size (1024×768): "Đọc giá trị" fills the newest raw value and says when the node
sent it; the config form starts from the node's config, takes thresholds in % and refuses a low
threshold above the high one in the page's language; "applied" waits for the node's acknowledgement
(frames through the real gateway ingest endpoint); the node list is searched, sorted and links to
directions; a node is finished over Web Serial, its key written to the device and never downloaded.

The USB-serial device is the one thing that cannot be real in a test: the page is given a serial port
whose far end is the real MicroPython interpreter (WebAssembly build, the project's test tooling in
package.json) answering the raw REPL as a board does. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Route, ViewportSize, expect

from firmware.lib import fwbundle, nodeconfig
from server.registry.models import Node
from tests.mobile_api.seeding import serve
from tests.mobile_api.test_officer_support import TECHNICIAN, gateway_token, login, make_app, post_frame
from tests.services import SCREENSHOTS

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
MICROPYTHON = ROOT / "node_modules" / "@micropython" / "micropython-webassembly-pyscript"
FW_KEY = bytes(range(200, 232))  # the cooperative's firmware-update key in this test
PHONE: ViewportSize = {"width": 390, "height": 844}
TABLET: ViewportSize = {"width": 1024, "height": 768}
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile"
)
NODE: dict[str, Any] = {
    "node_id": 9401,
    "gateway_id": 1,
    "field_id": 2,
    "lat": 21.2355,
    "lon": 105.4940,
    "kind": "soil",
    "sensors": ["soil", "battery"],
    "interval_s": 600,
}

# A serial port whose far end is MicroPython: raw REPL (Ctrl-A), code until Ctrl-D, "OK", output,
# Ctrl-D, errors, Ctrl-D, ">"; Ctrl-B back to the friendly REPL, where Ctrl-D is a soft reset.
FAKE_SERIAL = r"""
(() => {
  const enc = new TextEncoder();
  const device = { mp: null, out: '', err: '', resets: 0, opened: 0 };
  window.__device = device;
  const ready = import('/__device/micropython.mjs').then(async ({ loadMicroPython }) => {
    device.mp = await loadMicroPython({ stdout: (l) => { device.out += l + '\n'; },
      stderr: (l) => { device.err += l + '\n'; } });
    device.mp.runPython("import os\nos.mkdir('/flash')\nos.chdir('/flash')");
  });
  class Port {
    async open() {
      await ready;
      device.opened += 1;
      let ctl;
      this.readable = new ReadableStream({ start(c) { ctl = c; } });
      const send = (s) => ctl.enqueue(enc.encode(s));
      let mode = 'friendly'; let code = '';
      const run = (src) => {
        device.out = ''; device.err = '';
        send('OK');
        try { device.mp.runPython(src); } catch (e) { device.err += String(e.message); }
        send(device.out + '\x04' + device.err + '\x04>');
      };
      this.writable = new WritableStream({ write(chunk) {
        for (const b of chunk) {
          if (mode === 'friendly') {
            if (b === 1) { mode = 'raw'; code = ''; send('raw REPL; CTRL-B to exit\r\n>'); }
            else if (b === 4) { device.resets += 1; send('MPY: soft reboot\r\n'); }
          } else if (b === 2) { mode = 'friendly'; send('\r\n>>> '); }
          else if (b === 4) { run(code); code = ''; }
          else if (b !== 3) { code += String.fromCharCode(b); }
        }
      } });
    }
    async close() {}
  }
  Object.defineProperty(Navigator.prototype, 'serial', { configurable: true,
    get: () => ({ requestPort: async () => new Port(), getPorts: async () => [] }) });
})();
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = make_app(tmp_path_factory.mktemp("tech-browser"), history_days=1)
    assert login(app, TECHNICIAN).post("/api/v1/tech/nodes", json=NODE).status_code == 201
    with serve(app) as url:
        yield app, url
    app.extensions["ruongso"].store.close()


def shot(page: Page, name: str, full: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.getElementById('toast').hidden = true")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full)


def open_tech(
    browser: Browser, url: str, path: str, phone: bool = True, serial: bool = False
) -> tuple[Page, list[str]]:
    """Signed in as the technician; requests leaving the app are refused and recorded."""
    ctx = browser.new_context(
        viewport=PHONE if phone else TABLET,
        is_mobile=phone,
        has_touch=phone,
        user_agent=ANDROID if phone else None,
        bypass_csp=serial,  # the MicroPython device needs WebAssembly, which the app's CSP rightly forbids
    )
    outside: list[str] = []

    def guard(route: Route) -> None:
        name = route.request.url.rsplit("/", 1)[-1]
        if "/__device/" in route.request.url:
            route.fulfill(path=str(MICROPYTHON / name))
        elif route.request.url.startswith(url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    ctx.route("**/*", guard)
    if serial:
        ctx.add_init_script(FAKE_SERIAL)
    page = ctx.new_page()
    page.goto(url + path)
    page.fill("#login [name=phone]", TECHNICIAN["phone"])
    page.fill("#login [name=password]", TECHNICIAN["password"])
    page.click("#login button[type=submit]")
    expect(page.locator("body[data-ready='1']")).to_be_attached(timeout=20000)
    return page, outside


def test_read_raw_value_says_when_the_node_sent_it(live: tuple[Flask, str], browser: Browser) -> None:
    app, url = live
    token = gateway_token(app)
    post_frame(app, token, 9401, 1, {"soil_raw": 2288, "battery": 4.02}, age_s=3 * 3600)
    post_frame(app, token, 9401, 2, {"soil_vwc": 0.1, "battery": 4.02, "rssi": -68}, age_s=60)
    # a node online without the raw channel (its config has soil_raw 0)
    assert login(app, TECHNICIAN).post("/api/v1/tech/nodes", json=NODE | {"node_id": 9403}).status_code == 201
    post_frame(app, token, 9403, 1, {"soil_vwc": 0.2, "battery": 4.0}, age_s=60)
    page, outside = open_tech(browser, url, "/tech/#calibrate")
    page.select_option("#calibrate [name=node]", "9401")
    page.click("#calibrate [data-read=dry_mv]")
    expect(page.locator("#calibrate [name=dry_mv]")).to_have_value("2288")
    note = page.locator("[data-note=dry_mv]")
    expect(note).to_have_attribute("data-state", "read")
    expect(note).to_contain_text("trạm gửi lúc")
    expect(note).to_contain_text("3 giờ trước")
    shot(page, "tech-read-raw-phone")
    page.select_option("#calibrate [name=node]", "4097")  # a demo node: it sends its raw value
    page.click("#calibrate [data-read=wet_mv]")
    expect(page.locator("[data-note=wet_mv]")).to_have_attribute("data-state", "read")
    expect(page.locator("[data-note=wet_mv]")).to_contain_text("Giá trị thô")
    shown = page.locator("#calibrate [name=wet_mv]").input_value()
    assert 150 <= int(shown.replace(".", "")) <= 2450, shown
    page.select_option("#calibrate [name=node]", "9403")
    page.click("#calibrate [data-read=wet_mv]")
    expect(page.locator("[data-note=wet_mv]")).to_contain_text("vẫn gửi số liệu")
    page.click("#lang")
    page.click("#calibrate [data-read=wet_mv]")
    expect(page.locator("[data-note=wet_mv]")).to_contain_text("still sends data")
    assert outside == []
    page.context.close()


def test_config_form_starts_from_the_node_and_waits_for_its_acknowledgement(
    live: tuple[Flask, str], browser: Browser
) -> None:
    app, url = live
    token = gateway_token(app)
    page, _ = open_tech(browser, url, "/tech/#config")
    page.select_option("#config [name=node]", "9401")
    expect(page.locator("#config [name=interval_min]")).to_have_value("10")  # provisioned 600 s, not 15 min
    expect(page.locator("#threshold-hint")).to_contain_text("0\u2060–\u206065\u00a0%")
    page.fill("#config [name=vwc_low]", "45")
    page.fill("#config [name=vwc_high]", "20")
    page.click("#config button[type=submit]")
    expect(page.locator("#config-error")).to_have_text("Ngưỡng thấp phải nhỏ hơn ngưỡng cao")
    shot(page, "tech-config-refused-phone")
    page.click("#lang")
    expect(page.locator("#threshold-hint")).to_contain_text("Soil moisture in %")
    expect(page.locator("#config [name=vwc_low]")).to_have_value("45")  # what was typed stays
    page.click("#config button[type=submit]")
    expect(page.locator("#config-error")).to_have_text("The low threshold must be below the high one")
    page.click("#lang")
    expect(page.locator("#threshold-hint")).to_contain_text("Độ ẩm đất tính theo %")
    page.fill("#config [name=vwc_low]", "22,5")  # decimal comma, in %
    page.fill("#config [name=vwc_high]", "45")
    head = page.locator("#config-status [data-pending]")
    version = int(head.get_attribute("data-desired") or 0) + 1
    page.click("#config button[type=submit]")
    expect(head).to_have_attribute("data-desired", str(version))
    expect(head).to_have_attribute("data-pending", "true")
    expect(head).to_contain_text(f"Đang chờ trạm nhận bản {version}")
    status = login(app, TECHNICIAN).get("/api/v1/tech/nodes/9401/config").get_json()
    assert status["current"]["thresholds"] == {"soil_vwc": [0.225, 0.45]}  # stored in m³/m³
    shot(page, "tech-config-waiting-phone")

    post_frame(app, token, 9401, 3, {"battery": 4.01, "config_version": version}, age_s=30)
    post_frame(app, token, 9401, 4, {"battery": 4.01, "soil_vwc": 0.2})
    page.reload()  # a fresh page: the form fills from what the node runs
    expect(page.locator("body[data-ready='1']")).to_be_attached(timeout=20000)
    page.select_option("#config [name=node]", "9401")
    expect(head).to_have_attribute("data-pending", "false")
    expect(head).to_contain_text(f"Trạm đã nhận bản {version}")
    expect(page.locator("#config [name=vwc_low]")).to_have_value("22,5")  # the form shows what the node runs
    expect(page.locator("#config [name=vwc_high]")).to_have_value("45")
    shot(page, "tech-config-acked-phone")
    page.context.close()


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn").lower()


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "tablet"])
def test_node_list_search_sort_and_directions(live: tuple[Flask, str], browser: Browser, phone: bool) -> None:
    app, url = live
    fleet = login(app, TECHNICIAN).get("/api/v1/tech/fleet").get_json()["nodes"]
    page, outside = open_tech(browser, url, "/tech/", phone=phone)
    cards = page.locator("#nodes article.node")
    expect(cards).to_have_count(len(fleet))
    page.select_option("#node-sort", "battery")
    by_battery = sorted(fleet, key=lambda n: (n["battery_v"] is None, n["battery_v"] or 0, n["id"]))
    expect(cards.first).to_have_attribute("data-node", str(by_battery[0]["id"]))
    assert [int(x or 0) for x in cards.evaluate_all("cs => cs.map(c => c.dataset.node)")] == [
        n["id"] for n in by_battery
    ]
    field = next(n["field"] for n in fleet if n["id"] == 9401)
    page.fill("#node-search", _fold(field))  # typed without diacritics
    expect(cards).to_have_count(sum(1 for n in fleet if n["field"] == field))
    page.fill("#node-search", "9401")
    expect(cards).to_have_count(1)
    link = cards.first.locator("a.directions")
    expected = "geo:21.2355,105.494?q=21.2355,105.494(" if phone else "destination=21.2355,105.494"
    assert expected in (link.get_attribute("href") or "")
    expect(page.locator("#nodes-count")).to_have_text(f"Đang hiện 1/{len(fleet)} trạm")
    shot(page, f"tech-fleet-search-{'phone' if phone else 'tablet'}")
    assert outside == []
    page.context.close()


def test_a_node_is_finished_over_web_serial_and_its_key_never_downloaded(
    live: tuple[Flask, str], browser: Browser
) -> None:
    app, url = live
    # the cooperative's bundle on the server: the page checks a typed update key against its signature
    manifest, payload = fwbundle.make(FW_KEY, [("app.py", b"print('v9')\n")], 9, "esp32", 3.7)
    upload = login(app, TECHNICIAN).post(
        "/api/v1/tech/firmware/bundles",
        data={"bundle": (io.BytesIO(fwbundle.to_file(manifest, payload)), "fw-9.fwb")},
        content_type="multipart/form-data",
    )
    assert upload.status_code in (200, 201), upload.get_json()
    page, outside = open_tech(browser, url, "/tech/#provision", serial=True)
    downloads: list[str] = []
    page.on("download", lambda d: downloads.append(d.suggested_filename))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url + " " + (r.post_data or "")))
    page.fill("#provision [name=node_id]", "9402")
    page.select_option("#provision [name=field_id]", "2")
    page.fill("#provision [name=lat]", "21,2361")
    page.fill("#provision [name=lon]", "105.4951")
    page.click("#provision button[type=submit]")
    expect(page.locator("#made [data-serial=ready]")).to_be_visible()
    assert page.locator("#made [name=fw_key]").get_attribute("type") == "password"
    status = page.locator("#made .serial-status")
    # a mistyped update key (another key, then a short one) is refused before the port opens
    for typed, said in ((bytes(32).hex(), "không khớp với bản phần mềm 9"), ("abc123", "đúng 64 ký tự")):
        page.fill("#made [name=fw_key]", typed)
        page.click("#made [data-action=serial-write]")
        expect(status).to_have_attribute("data-state", "error", timeout=30000)
        expect(status).to_contain_text(said)
    assert page.evaluate("window.__device.opened") == 0  # nothing was written to the device
    page.fill("#made [name=wifi_psk]", "ruong-so-wifi-2026")
    page.fill("#made [name=fw_key]", FW_KEY.hex().upper())  # as a technician may copy it
    page.click("#made [data-action=serial-write]")
    expect(status).to_have_attribute("data-state", "done", timeout=60000)
    expect(status).to_contain_text("trạm 9402")
    expect(status).to_contain_text("Trạm có khoá cập nhật")
    expect(page.locator("#made [name=fw_key]")).to_have_value("")  # not left on the page
    shot(page, "tech-serial-done-phone")

    device: dict[str, Any] = page.evaluate(
        """() => { const fs = window.__device.mp.FS; const read = (p) => fs.readFile('/flash/' + p,
             { encoding: 'utf8' });
           return { config: read('config.json'), secrets: read('secrets.json'), main: read('main.py'),
                    codec: read('lib/framecodec.py'), resets: window.__device.resets }; }"""
    )
    with app.extensions["ruongso"].db.session() as s:
        node = s.get(Node, 9402)
        assert node is not None
        key = node.key_hex
    secrets = json.loads(device["secrets"])
    assert secrets == {
        "node_id": 9402,
        "node_key": key,
        "wifi_psk": "ruong-so-wifi-2026",
        "mqtt_password": "",
        "fw_key": FW_KEY.hex(),  # what the node's updater verifies bundles with (firmware/node/hw.py)
    }
    assert fwbundle.accept(bytes.fromhex(secrets["fw_key"]), manifest, "esp32")["version"] == 9
    assert nodeconfig.parse(bytes.fromhex(key), device["config"].encode())["node_id"] == 9402
    assert device["main"] == (ROOT / "firmware" / "node" / "main.py").read_text()
    assert device["codec"] == (ROOT / "firmware" / "lib" / "framecodec.py").read_text()
    assert device["resets"] == 1  # soft reset: the node starts its firmware
    assert downloads == [] and not [r for r in requests if "secrets" in r]
    assert not [r for r in requests if FW_KEY.hex() in r.lower()]  # the update key never left the page
    assert not page.locator("#made a[href*='secrets']").count()
    page.click("#tabs [data-tab=fleet]")  # a node already made is written again from its card
    card = page.locator("article.node[data-node='9402']")
    card.locator("[data-action=serial-open]").click()
    expect(card.locator("[data-serial=ready] [data-action=serial-write]")).to_be_visible()
    card.locator("[data-action=serial-write]").click()  # update key left empty: the device's is kept
    again = card.locator(".serial-status")
    expect(again).to_have_attribute("data-state", "done", timeout=60000)
    expect(again).to_contain_text("Trạm có khoá cập nhật")
    read = "window.__device.mp.FS.readFile('/flash/secrets.json', { encoding: 'utf8' })"
    kept = json.loads(page.evaluate(read))
    assert kept["fw_key"] == FW_KEY.hex() and kept["node_key"] == key
    assert outside == []
    page.context.close()


def test_without_web_serial_the_page_says_where_it_works(live: tuple[Flask, str], browser: Browser) -> None:
    _, url = live
    page, _ = open_tech(browser, url, "/tech/#provision")
    page.evaluate("() => { delete Navigator.prototype.serial; }")
    page.fill("#provision [name=node_id]", "9403")
    page.select_option("#provision [name=field_id]", "2")
    page.fill("#provision [name=lat]", "21.2362")
    page.fill("#provision [name=lon]", "105.4952")
    page.click("#provision button[type=submit]")
    expect(page.locator("#made [data-serial=none]")).to_contain_text("Chrome hoặc Edge trên máy tính")
    assert not page.locator("#made a[href*='secrets']").count()
    # the pinned esptool-js loads under the app's own CSP, as the "new board" button imports it
    loader = (
        "() => import('/vendor/esptool-js/bundle.js').then(m => [typeof m.ESPLoader, typeof m.Transport])"
    )
    assert page.evaluate(loader) == ["function", "function"]
    page.context.close()
