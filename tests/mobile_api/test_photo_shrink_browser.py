"""Photos made small on the phone (``static/js/photo_shrink.js``), through the real app in Chromium.

A 12 MP camera photo is ~2.4 MB: on a 400 kbit/s link that is most of a minute before the server
starts. The app decodes it with the EXIF orientation applied, brings the long edge down to
1280 px and re-encodes it; the outbox keeps that small copy. Re-encoding drops the EXIF, so the
app reads the GPS position from the original itself and sends it as ``gps_lat``/``gps_lon``,
which the server keeps only when the farmer ticks "share location" (as it does the EXIF's).

The photos here are made with Pillow: 4000x3000 pixels of green leaf-like texture (so the JPEG
is camera-sized, ~2.5 MB, not a few kB of flat colour), EXIF orientation 6 (the phone was held
upright: the pixels are stored lying on their side) and a GPS IFD. A red corner shows which way
up the stored photo is. The classifier is the review journey's stand-in (green: confident).
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Browser, FilePayload, Page, expect

from server.farm.diagnosis import EXTENSION
from tests.mobile_api.conftest import FARMER_1, Client, farmer_phone, login
from tests.mobile_api.seeding import seeded_app, serve
from tests.mobile_api.test_browser_review import StandIn, latest

# Vĩnh Tường, as degrees/minutes/seconds in the EXIF: 21°14'03" N, 105°29'31" E.
DMS = ((21.0, 14.0, 3.0), (105.0, 29.0, 31.0))
LAT, LON = 21 + 14 / 60 + 3 / 3600, 105 + 29 / 60 + 31 / 3600
MAX_EDGE = 1280
SMALL_BODY = 600_000  # bytes: a shrunk photo is ~250 kB, the original ~2.5 MB


def camera_jpeg(
    size: tuple[int, int] = (4000, 3000),
    orientation: int = 6,
    gps: bool = True,
    endian: str = "<",
    south_west: bool = False,
) -> bytes:
    """A camera-like JPEG: leaf texture (coarse and fine noise, so it compresses like a photo),
    a red block in the stored pixels' top-left corner, EXIF orientation and optionally GPS."""
    w, h = size
    seed = Image.effect_noise((max(1, w // 8), max(1, h // 8)), 60).convert("L")
    coarse = seed.resize((w, h), Image.Resampling.BICUBIC)
    lum = Image.blend(coarse, Image.effect_noise((w, h), 25).convert("L"), 0.35)
    img = Image.merge(
        "RGB", (lum.point(lambda v: v // 3), lum.point(lambda v: 80 + v // 2), lum.point(lambda v: v // 4))
    )
    img.paste((220, 30, 30), (0, 0, w // 8, h // 8))
    exif = Image.Exif()
    exif.endian = endian
    exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "S" if south_west else "N", 2: DMS[0], 3: "W" if south_west else "E", 4: DMS[1]}
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88, exif=exif)
    return out.getvalue()


def plain_jpeg(colour: str = "#2e7d32") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


class BodySizes:
    """The size of every photo upload as it reached the server (WSGI ``CONTENT_LENGTH``): Chromium
    does not hand a multipart body holding a file to the page's request events."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.sizes = inner, list[int]()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == "/api/v1/app/photos":
            self.sizes.append(int(environ.get("CONTENT_LENGTH") or 0))
        return self.inner(environ, start_response)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = seeded_app(tmp_path_factory.mktemp("photo-shrink"), history_days=1)
    app.extensions[EXTENSION] = StandIn()
    app.wsgi_app = BodySizes(app.wsgi_app)  # type: ignore[method-assign]
    with serve(app) as url:
        yield app, url
    app.extensions["ruongso"].store.close()


# --- the server: gps_lat / gps_lon -----------------------------------------------------------


def upload(c: Client, key: str, photo: bytes | None = None, **form: str) -> Any:
    """Post one photo (a small one without EXIF unless given) and return the position kept."""
    data: dict[str, Any] = {"field_id": "3", "idempotency_key": key, **form}
    data["photos"] = [(io.BytesIO(photo or plain_jpeg()), "p.jpg")]
    r = c.send("POST", "/api/v1/app/photos", data=data, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    return r.get_json()["position"]


def test_the_server_keeps_the_phone_read_exif_position_only_when_allowed(live: tuple[Flask, str]) -> None:
    c = login(live[0], FARMER_1)
    shared = upload(c, "gps-fields-001", share_location="1", gps_lat="21.234167", gps_lon="105.491944")
    assert shared == {"lat": 21.234167, "lon": 105.491944}
    assert upload(c, "gps-fields-002", share_location="0", gps_lat="21.2", gps_lon="105.4") is None
    assert upload(c, "gps-fields-003", gps_lat="21.2", gps_lon="105.4") is None
    for i, (lat, lon) in enumerate(
        [("nan", "105"), ("21", "inf"), ("91", "105"), ("21", "-181"), ("x", "1")]
    ):
        assert upload(c, f"gps-fields-bad-{i}", share_location="1", gps_lat=lat, gps_lon=lon) is None
    # the phone's own fix comes first, then the EXIF still in a photo, then the fields
    first = upload(c, "gps-fields-004", share_location="1", lat="21.5", lon="105.6", gps_lat="1", gps_lon="2")
    assert first == {"lat": 21.5, "lon": 105.6}
    exif = upload(
        c, "gps-fields-005", share_location="1", gps_lat="1", gps_lon="2", photo=camera_jpeg((64, 48))
    )
    assert exif is not None and math.isclose(exif["lat"], LAT, abs_tol=1e-5)
    # a fix that is not a position (NaN) is no longer stored: the EXIF position is used instead
    nan = upload(
        c, "gps-fields-006", share_location="1", lat="nan", lon="105", gps_lat="21.1", gps_lon="105.1"
    )
    assert nan == {"lat": 21.1, "lon": 105.1}


# --- the phone: the EXIF reader ----------------------------------------------------------------

READ = (
    "async (bytes) => (await import('/static/js/photo_shrink.js')).gpsFromJpeg(new Uint8Array(bytes).buffer)"
)
FUZZ = """async (bytes) => {
  const { gpsFromJpeg } = await import('/static/js/photo_shrink.js');
  let seed = 7, throws = 0, bad = 0, found = 0;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const check = (u8) => {
    try {
      const g = gpsFromJpeg(u8.buffer);
      if (g === null) return;
      found++;
      const onGlobe = Math.abs(g.lat) <= 90 && Math.abs(g.lon) <= 180;
      if (!(Number.isFinite(g.lat) && Number.isFinite(g.lon) && onGlobe)) bad++;
    } catch { throws++; }
  };
  for (let n = 0; n <= bytes.length; n++) check(new Uint8Array(bytes.slice(0, n)));  // every truncation
  for (let i = 0; i < 3000; i++) {  // random bytes changed, anywhere in the header
    const u8 = new Uint8Array(bytes);
    for (let k = 1 + rnd(4); k > 0; k--) u8[rnd(u8.length)] = rnd(256);
    check(u8);
  }
  for (let i = 0; i < 200; i++) check(new Uint8Array(Array.from({ length: rnd(400) }, () => rnd(256))));
  return { throws, bad, found };
}"""


def exif_head(data: bytes) -> list[int]:
    """The JPEG up to the start of its first quantisation table: the markers and the EXIF."""
    return list(data[: data.index(b"\xff\xdb")])


@pytest.mark.browser
def test_the_exif_reader_finds_gps_in_both_byte_orders_and_never_throws(
    live: tuple[Flask, str], browser: Browser
) -> None:
    page = browser.new_page()
    page.goto(live[1] + "/")
    for endian in ("<", ">"):
        gps = page.evaluate(READ, exif_head(camera_jpeg((64, 48), endian=endian)))
        assert gps is not None and math.isclose(gps["lat"], LAT, abs_tol=1e-6), (endian, gps)
        assert math.isclose(gps["lon"], LON, abs_tol=1e-6)
    south_west = page.evaluate(READ, exif_head(camera_jpeg((64, 48), south_west=True)))
    assert south_west["lat"] < 0 and south_west["lon"] < 0
    assert page.evaluate(READ, exif_head(camera_jpeg((64, 48), gps=False))) is None
    assert page.evaluate(READ, list(plain_jpeg())) is None
    assert page.evaluate(READ, list(b"GIF89a" + bytes(40))) is None
    result = page.evaluate(FUZZ, exif_head(camera_jpeg((64, 48), endian=">")))
    assert result["throws"] == 0 and result["bad"] == 0 and result["found"] > 0, result
    page.close()


KEPT = """async ([bytes, type]) => {
  const { shrink } = await import('/static/js/photo_shrink.js');
  const file = new File([new Uint8Array(bytes)], 'p.jpg', { type });
  return (await shrink(file)) === file;
}"""


@pytest.mark.browser
def test_the_original_is_kept_when_it_cannot_be_decoded_or_is_already_small(
    live: tuple[Flask, str], browser: Browser
) -> None:
    page = browser.new_page()
    page.goto(live[1] + "/")
    assert page.evaluate(KEPT, [list(b"\xff\xd8\xff\xe0 not really a photo"), "image/jpeg"])
    assert page.evaluate(KEPT, [list(plain_jpeg()), "image/jpeg"])  # 64x48, a few hundred bytes
    assert not page.evaluate(KEPT, [list(camera_jpeg((1600, 1200))), "image/jpeg"])
    page.close()


# --- the journey: a 12 MP photo from the photo screen ------------------------------------------


def choose_and_send(page: Page, data: bytes, share: bool) -> None:
    page.get_by_role("link", name="Chụp lá").click()
    page.get_by_label("Ảnh (1 đến 5 ảnh của cùng một cây)").set_input_files(
        [FilePayload(name="IMG_20260504_0731.jpg", mimeType="image/jpeg", buffer=data)]
    )
    page.locator("#share-loc").set_checked(share)
    page.get_by_role("button", name="Gửi ảnh").click()


@pytest.mark.browser
def test_a_12_mp_photo_is_sent_small_upright_and_with_its_position(
    live: tuple[Flask, str], browser: Browser
) -> None:
    app, url = live
    big = camera_jpeg()
    assert len(big) > 1_500_000  # camera-sized: without shrinking, the body below would be too
    ctx, page = farmer_phone(browser, url)
    sizes: BodySizes = app.wsgi_app  # type: ignore[assignment]
    sizes.sizes.clear()
    for share in (True, False):
        before = latest(app)
        choose_and_send(page, big, share)
        new_id = (before.id if before else 0) + 1
        expect(page.locator(f".dx-history article.dx[data-id='{new_id}']")).to_be_visible(timeout=60_000)
        d = latest(app)
        assert d is not None and d.id == new_id and not d.abstained
        stored = app.extensions["ruongso"].blobs.get(d.photos[0])
        img = Image.open(io.BytesIO(stored)).convert("RGB")
        w, h = img.size
        assert max(w, h) <= MAX_EDGE and (w, h) == (960, 1280), img.size  # upright: orientation 6 turned it
        r, g, _b = img.getpixel((w - 30, 30))  # type: ignore[misc]
        assert r > 150 and g < 100, "the stored corner's top-left went to the top right: turned 90° clockwise"
        if share:
            assert d.lat is not None and d.lon is not None
            assert math.isclose(d.lat, LAT, abs_tol=1e-5) and math.isclose(d.lon, LON, abs_tol=1e-5)
        else:
            assert d.lat is None and d.lon is None
    assert len(sizes.sizes) == 2 and all(0 < b < SMALL_BODY for b in sizes.sizes), sizes.sizes
    ctx.close()


OUTBOX = """() => new Promise((ok, fail) => {
  const req = indexedDB.open('ruongso', 1);
  req.onsuccess = () => {
    const get = req.result.transaction('outbox').objectStore('outbox').getAll();
    const item = (i) => ({ sizes: (i.files || []).map((f) => f.size), fields: i.fields });
    get.onsuccess = () => ok(get.result.map(item));
    get.onerror = () => fail(get.error);
  };
  req.onerror = () => fail(req.error);
})"""


def outbox_when(page: Page, ready: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    """The outbox's items once ``ready`` says so (polled: the page's own work is asynchronous)."""
    end = time.monotonic() + 60
    while True:
        items: list[dict[str, Any]] = page.evaluate(OUTBOX)
        if ready(items) or time.monotonic() > end:
            return items
        page.wait_for_timeout(200)


@pytest.mark.browser
def test_offline_the_outbox_keeps_the_small_copy(live: tuple[Flask, str], browser: Browser) -> None:
    app, url = live
    ctx, page = farmer_phone(browser, url)
    before = latest(app)
    ctx.set_offline(True)
    choose_and_send(page, camera_jpeg(), share=True)
    waiting = outbox_when(page, lambda items: len(items) > 0)
    assert len(waiting) == 1 and 0 < waiting[0]["sizes"][0] < SMALL_BODY, waiting
    assert math.isclose(float(waiting[0]["fields"]["gps_lat"]), LAT, abs_tol=1e-5)
    ctx.set_offline(False)  # the outbox sends on the "online" event
    assert outbox_when(page, lambda items: not items) == []
    d = latest(app)
    assert d is not None and d.id == (before.id if before else 0) + 1 and d.lat is not None
    ctx.close()


@pytest.mark.browser
def test_tapping_send_again_while_the_photos_are_prepared_files_one_diagnosis(
    live: tuple[Flask, str], browser: Browser
) -> None:
    """Making a 12 MP photo small takes a moment on a phone; the impatient second and third taps
    in that moment are ignored, so the plant is filed once."""
    app, url = live
    ctx, page = farmer_phone(browser, url)
    before = latest(app)
    page.get_by_role("link", name="Chụp lá").click()
    page.get_by_label("Ảnh (1 đến 5 ảnh của cùng một cây)").set_input_files(
        [FilePayload(name="IMG_20260504_0732.jpg", mimeType="image/jpeg", buffer=camera_jpeg())]
    )
    # three taps in the same instant, as a thumb bouncing on a slow screen gives them
    page.get_by_role("button", name="Gửi ảnh").evaluate("(b) => { b.click(); b.click(); b.click(); }")
    new_id = (before.id if before else 0) + 1
    expect(page.locator(f".dx-history article.dx[data-id='{new_id}']")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1_000)  # a second filing, if any, would have been sent by now
    after = latest(app)
    assert after is not None and after.id == new_id
    ctx.close()
