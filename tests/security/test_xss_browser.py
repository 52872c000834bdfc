"""Stored XSS: every user-entered text that others see (field and farm names, diary notes, officer
review notes and alerts) is written with script payloads, then the farmer, officer and technician
pages are rendered in headless Chromium. No script may run and no payload may become markup."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from tests.mobile_api.seeding import serve
from tests.security.conftest import CREDS
from tests.security.test_web import login
from tests.services import CHROMIUM, CHROMIUM_ARGS

PAYLOADS = [
    '<img src=x onerror="window.__xss=(window.__xss||0)+1">',
    '"><svg onload="window.__xss=1">',
    "</script><script>window.__xss=1</script>",
    "javascript:window.__xss=1",
    "{{constructor.constructor('window.__xss=1')()}}",
]
MARK = "XSSMARK"


def payload(i: int) -> str:
    return f"{MARK}{i} {PAYLOADS[i % len(PAYLOADS)]}"


def plant(app: Flask) -> dict[str, int]:
    """Write payloads through the API as each role would; returns how many writes succeeded."""
    done: dict[str, int] = {}
    farmer, fcsrf = login(app, "farmer")
    h = {"X-CSRF-Token": fcsrf}

    def ok(name: str, r: Any) -> None:
        done[name] = done.get(name, 0) + int(r.status_code in (200, 201, 204))

    ok("farm_name", farmer.patch("/api/v1/farms/1", json={"name": payload(0)}, headers=h))
    geometry = {"type": "Polygon", "coordinates": [[[105.49, 21.23], [105.491, 21.23], [105.491, 21.231],
                                                     [105.49, 21.23]]]}  # fmt: skip
    body = {"name": payload(1), "crop": "rice", "geometry": geometry}
    ok("field_name", farmer.post("/api/v1/farms/1/fields", json=body, headers=h))
    for i in range(2, 5):
        entry = {"field_id": 1, "kind": "other", "product_name": payload(i), "note": payload(i + 5)}
        entry["idempotency_key"] = f"xss-diary-{i}"
        ok("diary", farmer.post("/api/v1/app/diary", json=entry, headers=h))
    img = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 80, 60)).save(img, "JPEG")
    r = farmer.post(
        "/api/v1/app/photos",
        data={
            "field_id": "1",
            "idempotency_key": "xss-photo-1",
            "photos": (io.BytesIO(img.getvalue()), "l.jpg"),
        },
        headers=h,
        content_type="multipart/form-data",
    )
    ok("photo", r)
    officer, ocsrf = login(app, "officer")
    oh = {"X-CSRF-Token": ocsrf}
    if r.status_code in (200, 201):
        diag = r.get_json()["id"]
        review = {"action": "more_photos", "note": payload(3)}
        ok("review_note", officer.post(f"/api/v1/officer/reviews/{diag}", json=review, headers=oh))
        review = {"status": "confirmed", "note": payload(4)}
        ok("review_note", officer.post(f"/api/v1/app/diagnoses/{diag}/review", json=review, headers=oh))
    alert = {
        "lat": 21.234,
        "lon": 105.4925,
        "radius_m": 5000,
        "message_vi": payload(0),
        "message_en": payload(1),
    }
    ok("officer_alert", officer.post("/api/v1/officer/alerts", json=alert | {"kind": payload(2)}, headers=oh))
    return done


def visit(base: str, role: str, urls: list[str]) -> tuple[list[str], list[str], int]:
    from playwright.sync_api import sync_playwright

    executed: list[str] = []
    markup: list[str] = []
    marks = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(viewport={"width": 390, "height": 844})
            assert ctx.request.post(base + "/api/v1/auth/login", data=CREDS[role]).status == 200
            page = ctx.new_page()

            def on_dialog(d: Any) -> None:
                executed.append(f"dialog {d.message}")
                d.dismiss()

            page.on("dialog", on_dialog)
            for url in urls:
                page.goto(base + url)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(300)
                if page.evaluate("window.__xss") is not None:
                    executed.append(url)
                bad = page.evaluate(
                    "() => [...document.querySelectorAll('*')].filter(e => [...e.attributes].some("
                    "a => a.name.startsWith('on') && a.value.includes('__xss'))).map(e => e.outerHTML)"
                )
                markup += [f"{url}: {b[:120]}" for b in bad]
                marks += page.content().count(MARK)
        finally:
            browser.close()
    return executed, markup, marks


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium")
def test_stored_xss_payloads_never_execute_or_become_markup(app: Flask, tmp_path: Path) -> None:
    done = plant(app)
    assert done.get("diary", 0) >= 1 and done.get("farm_name", 0) == 1, done
    farmer_urls = ["/app/#/home", "/app/#/field/1", "/app/#/diary/1", "/app/#/diary", "/app/#/photo",
                   "/app/#/harvest", "/app/#/settings"]  # fmt: skip
    officer_urls = ["/officer/", "/officer/#map", "/officer/#reviews", "/officer/#report", "/officer/#alerts"]
    with serve(app) as base:
        results = [visit(base, "farmer", farmer_urls), visit(base, "officer", officer_urls)]
        results.append(visit(base, "technician", ["/tech/", "/tech/#fleet"]))
    executed = [e for r in results for e in r[0]]
    markup = [m for r in results for m in r[1]]
    assert not executed, executed
    assert not markup, markup
    assert sum(r[2] for r in results) > 0, "no payload was rendered at all: the test saw nothing"
