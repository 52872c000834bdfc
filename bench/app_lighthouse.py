"""Lighthouse 12 on the signed-in farmer app (results: docs/benchmarks-app.md).

Serves the real app with the seeded demo cooperative on a loopback port, opens Chromium with a
throwaway profile and a loopback debugging port, signs in there once (session cookie and the
remembered user stay in the profile, as for a farmer who signed in yesterday), then runs the
`lighthouse` package from package.json (mobile, simulated throttling) against the home, field and
photo screens. Lighthouse clears the service worker, Cache Storage and the HTTP cache before each
run, so every screen is a cold load. Temporary profiles are removed at the end.

Run: .venv/bin/python bench/app_lighthouse.py [--keep-reports DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from demo.people import FARMERS
from tests.mobile_api.seeding import seeded_app, serve
from tests.services import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def lighthouse(url: str, port: int, out: Path) -> dict[str, object]:
    cmd = [
        str(LIGHTHOUSE),
        url,
        f"--port={port}",
        "--hostname=127.0.0.1",
        "--form-factor=mobile",
        "--throttling-method=simulate",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--quiet",
    ]
    subprocess.run(cmd, check=True, timeout=180, cwd=ROOT)
    report: dict[str, object] = json.loads(out.read_text())
    return report


def failing(report: dict[str, object]) -> list[str]:
    """Audit ids that cost points in the measured categories (score below 1, weighted)."""
    audits = report["audits"]
    cats = report["categories"]
    assert isinstance(audits, dict) and isinstance(cats, dict)
    ids = {ref["id"] for c in cats.values() for ref in c["auditRefs"] if ref["weight"] > 0}
    return sorted(
        f"{i}={audits[i]['score']}" for i in ids if audits[i]["score"] is not None and audits[i]["score"] < 1
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-reports", type=Path, help="copy the JSON reports here")
    opts = parser.parse_args()
    tmp = Path(tempfile.gettempdir())
    before = set(tmp.glob("org.chromium.Chromium.*"))
    work = Path(tempfile.mkdtemp(prefix="rs-lighthouse-"))
    profile = work / "profile"
    port = free_port()
    results: list[tuple[str, dict[str, int], list[str]]] = []
    try:
        app = seeded_app(work / "data", history_days=2)
        with serve(app) as url, sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                str(profile),
                executable_path=CHROMIUM,
                args=[
                    *CHROMIUM_ARGS,
                    f"--remote-debugging-port={port}",
                    "--remote-debugging-address=127.0.0.1",
                ],
                viewport={"width": 390, "height": 844},
            )
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.goto(url + "/")
            phone, password, _role = FARMERS[0]  # the demo's first farmer
            page.get_by_label("Số điện thoại").fill(phone)
            page.get_by_label("Mật khẩu").fill(password)
            page.get_by_role("button", name="Đăng nhập").click()
            page.locator(".advice").first.wait_for(timeout=30000)
            field_href = page.locator("a.button[href^='#/field/']").first.get_attribute("href")
            page.goto("about:blank")
            screens = {"home": "/#/home", "field": "/" + str(field_href), "photo": "/#/photo"}
            for name, path in screens.items():
                out = work / f"{name}.json"
                report = lighthouse(url + path, port, out)
                cats = report["categories"]
                assert isinstance(cats, dict)
                scores = {c: round(cats[c]["score"] * 100) for c in CATEGORIES}
                results.append((name + " " + path, scores, failing(report)))
                if opts.keep_reports:
                    opts.keep_reports.mkdir(parents=True, exist_ok=True)
                    shutil.copy(out, opts.keep_reports / out.name)
            ctx.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for d in set(tmp.glob("org.chromium.Chromium.*")) - before:  # only the ones this run made
            shutil.rmtree(d, ignore_errors=True)
    for screen, scores, bad in results:
        print(
            f"{screen:24} perf {scores['performance']:3}  a11y {scores['accessibility']:3}  "
            f"best {scores['best-practices']:3}  {' '.join(bad)}"
        )


if __name__ == "__main__":
    main()
