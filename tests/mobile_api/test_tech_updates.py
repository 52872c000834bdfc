"""Issue 20 on the technician's "Cập nhật" screen, real app in headless Chromium at phone and tablet
size: a bundle built by the installed ``farm node bundle`` is uploaded, a staged rollout starts on a
pilot node, widens once the pilot reports the new version confirmed (through the real gateway health
endpoint, as the gateway pushes it), stops when a node rolls the version back, and the fleet screen
shows which version each node runs. Refusals are worded in vi and en. Screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from playwright.sync_api import Browser, expect

from tests.mobile_api.seeding import serve
from tests.mobile_api.test_officer_support import TECHNICIAN, gateway_token, login, make_app
from tests.mobile_api.test_tech_browser import open_tech, shot

pytestmark = pytest.mark.browser
STATIC = Path(__file__).resolve().parents[2] / "mobile_api" / "static" / "tech" / "i18n"
FARM = Path(sys.executable).parent / "farm"
KEY_HEX = "5a" * 32


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str, Path]]:
    tmp = tmp_path_factory.mktemp("tech-updates")
    app = make_app(tmp / "app", history_days=1)
    bundle = tmp / "fw-5.fwb"
    run = subprocess.run(
        [str(FARM), "node", "bundle", "--version", "5", "--min-batt", "3.75", "--json", "--out", str(bundle)],
        env=os.environ | {"FARM_FW_KEY": KEY_HEX},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["chunks"] > 10
    with serve(app) as url:
        yield app, url, bundle
    app.extensions["ruongso"].store.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def push_health(url: str, token: str, reports: dict[int, dict[str, Any]]) -> None:
    """What the gateway pushes every minute: its fleet view with each node's firmware status."""
    nodes = {str(n): {"node_id": n, **r} for n, r in reports.items()}
    r = requests.post(
        f"{url}/api/v1/gateway/health",
        json={"nodes": nodes},
        timeout=10,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 204


def test_bundle_cli_refuses_a_missing_key_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FARM_FW_KEY"}
    run = subprocess.run(
        [str(FARM), "node", "bundle", "--version", "2", "--out", str(tmp_path / "x.fwb")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "FARM_FW_KEY" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "x.fwb").exists()


def test_upload_refusals_are_worded_in_both_languages(live: tuple[Flask, str, Path]) -> None:
    app, _, _ = live
    tech = login(app, TECHNICIAN)
    r = tech.post("/api/v1/tech/firmware/bundles", data={"bundle": (io.BytesIO(b"not a bundle"), "x.fwb")})
    assert r.status_code == 422
    code = r.get_json()["code"]
    for lang in ("vi", "en"):
        assert f"err_{code}" in json.loads((STATIC / f"{lang}.json").read_text())
    unknown = tech.post("/api/v1/tech/firmware/rollouts", json={"version": 99, "pilot": [4097]})
    assert unknown.status_code == 404
    assert app.test_client().get("/api/v1/tech/firmware").status_code == 401
    assert app.test_client().get("/api/v1/gateway/updates").status_code == 401


def test_staged_rollout_on_the_updates_screen(live: tuple[Flask, str, Path], browser: Browser) -> None:
    app, url, bundle = live
    token = gateway_token(app)
    page, outside = open_tech(browser, url, "/tech/#updates")
    expect(page.locator("#fw-no-bundles")).to_be_visible()
    page.set_input_files("#fw-upload [name=bundle]", str(bundle))
    page.fill("#fw-upload [name=note]", "sửa trình điều khiển SHT4x")
    page.click("#fw-upload button[type=submit]")
    expect(page.locator("#fw-bundles [data-version='5']")).to_contain_text("pin từ 3,75 V")
    page.select_option("#fw-roles [data-node='4097']", "pilot")
    page.select_option("#fw-roles [data-node='4098']", "rest")
    page.click("#fw-start button[type=submit]")
    card = page.locator("#fw-rollouts article").first
    expect(card).to_have_attribute("data-state", "pilot")
    expect(card).to_contain_text("Đang thử trên vài trạm")
    updates = login(app, TECHNICIAN)
    gw = requests.get(f"{url}/api/v1/gateway/updates", headers=bearer(token), timeout=10)
    assert gw.json()["firmware"]["targets"] == {"4097": 5}  # the pilot only
    shot(page, "tech-updates-pilot-phone")

    push_health(url, token, {4097: {"firmware": "v5", "fw_version": 5, "fw_state": "run", "fw_detail": "-"}})
    page.click("#tabs [data-tab=fleet]")
    expect(page.locator("article[data-node='4097']")).to_contain_text("v5")  # who runs what
    page.click("#tabs [data-tab=updates]")
    expect(card).to_have_attribute("data-state", "wide")
    expect(card.locator("tr[data-node='4097']")).to_have_attribute("data-outcome", "done")
    gw = requests.get(f"{url}/api/v1/gateway/updates", headers=bearer(token), timeout=10)
    assert gw.json()["firmware"]["targets"] == {"4097": 5, "4098": 5}
    bundle_file = requests.get(
        f"{url}/api/v1/gateway/updates/bundles/5", timeout=10, headers={"Authorization": f"Bearer {token}"}
    )
    assert bundle_file.content == bundle.read_bytes()

    push_health(
        url,
        token,
        {
            4097: {"firmware": "v5", "fw_version": 5, "fw_state": "run", "fw_detail": "-"},
            4098: {"firmware": "v0", "fw_version": 0, "fw_state": "rolledback", "fw_detail": "v5"},
        },
    )
    page.click("#tabs [data-tab=fleet]")
    page.click("#tabs [data-tab=updates]")
    expect(card).to_have_attribute("data-state", "stopped")
    expect(card).to_contain_text("Dừng vì trạm 4098: đã quay về bản cũ")
    expect(card.locator("button.danger")).to_have_count(0)
    expect(page.locator("#fw-running [data-node='4097']")).to_contain_text("v5")
    shot(page, "tech-updates-stopped-phone")
    page.click("#lang")
    expect(card).to_contain_text("Stopped because node 4098: went back to the old version")
    assert updates.get("/api/v1/tech/firmware").get_json()["rollouts"][0]["state"] == "stopped"
    gw = requests.get(f"{url}/api/v1/gateway/updates", headers=bearer(token), timeout=10)
    assert gw.json()["firmware"]["targets"] == {}
    assert outside == []
    page.context.close()

    tablet, _ = open_tech(browser, url, "/tech/#updates", phone=False)
    expect(tablet.locator("#fw-rollouts article[data-state='stopped']")).to_be_visible()
    shot(tablet, "tech-updates-tablet")
    tablet.context.close()
