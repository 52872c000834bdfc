"""Photo to answer as the farmer lives it: a 12 MP photo on a slow link and a slow phone.

Chromium (390x844, mobile) on 400 kbit/s down and up with 400 ms latency (CDP network emulation)
and the CPU slowed 4x (``Emulation.setCPUThrottlingRate``); a 4000x3000 camera-like JPEG (leaf
texture, ~2.5 MB, EXIF orientation 6 and GPS) is chosen on the photo screen and the time from the
tap on "Gửi ảnh" (send) to the answer on screen is measured. Each run is a fresh, signed-in phone
(the sign-in and the screen load happen before the link is slowed: only the send is timed).

Two paths, interleaved so that both see the same load on shared cores:
- ``shrunk``: the app as shipped — the photo made small on the phone (``photo_shrink.js``);
- ``original``: the same app with shrinking bypassed (``/?noshrink``), as the app sent photos before.

The server is the real app with the shipped classifier. Goal: shrunk p50 <= 10 s.
Run: .venv/bin/python bench/photo_upload.py --runs 5   (results: docs/benchmarks.md)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser, FilePayload, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.scratch import Scratch
from bench.timing import Meter, describe_machine, load_average, percentile
from tests.mobile_api.conftest import farmer_phone
from tests.mobile_api.seeding import seeded_app, serve
from tests.mobile_api.test_browser_review import latest
from tests.mobile_api.test_photo_shrink_browser import BodySizes, camera_jpeg
from tests.services import CHROMIUM, CHROMIUM_ARGS

KBPS = 400
LATENCY_MS = 400
CPU_SLOWDOWN = 4
GOAL_S = 10.0


def one_run(browser: Browser, url: str, app: Flask, photo: bytes, shrink: bool) -> Meter:
    """From the tap on send to the answer drawn, for one fresh phone: wall-clock, and CPU-seconds
    of this process (the app server and its classifier run here, in a thread)."""
    ctx, page = farmer_phone(browser, url)
    if not shrink:
        page.goto(url + "/?noshrink#/home")  # the module reads the flag when the photo screen loads it
        page.locator(".advice").first.wait_for(timeout=60_000)
    page.get_by_role("link", name="Chụp lá").click()
    page.get_by_label("Ảnh (1 đến 5 ảnh của cùng một cây)").set_input_files(
        [FilePayload(name="IMG_20260504_0731.jpg", mimeType="image/jpeg", buffer=photo)]
    )
    before = latest(app)
    new_id = (before.id if before else 0) + 1
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": KBPS * 1000 / 8,
            "uploadThroughput": KBPS * 1000 / 8,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    send = page.get_by_role("button", name="Gửi ảnh")
    with Meter() as m:
        send.click()
        page.locator(f"article.dx[data-id='{new_id}']").first.wait_for(timeout=300_000)
    ctx.close()
    return m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs per path (default 5)")
    args = ap.parse_args()
    with Scratch("bench-photo-") as tmp:  # the seeded registry, photos and time series
        measure(args.runs, seeded_app(tmp.path, history_days=1))


def measure(runs: int, app: Flask) -> None:
    sizes = BodySizes(app.wsgi_app)
    app.wsgi_app = sizes  # type: ignore[method-assign]
    photo = camera_jpeg()
    times: dict[str, list[float]] = {"shrunk": [], "original": []}
    bodies: dict[str, list[int]] = {"shrunk": [], "original": []}
    cpu: dict[str, list[float]] = {"shrunk": [], "original": []}
    with serve(app) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        one_run(browser, url, app, photo, shrink=True)  # warm-up: the classifier loads once per process
        for i in range(runs):
            for path in ("shrunk", "original"):
                m = one_run(browser, url, app, photo, shrink=path == "shrunk")
                t = m.wall_s
                times[path].append(t)
                cpu[path].append(m.cpu_s)
                bodies[path].append(sizes.sizes[-1])
                print(f"run {i + 1} {path:8s} {t:6.2f} s  body {sizes.sizes[-1] / 1000:7.1f} kB", flush=True)
        browser.close()
    print(f"machine: {describe_machine()}, {load_average()}")
    print(f"link {KBPS} kbit/s down/up, {LATENCY_MS} ms latency, CPU {CPU_SLOWDOWN}x slower")
    print(f"photo: 4000x3000 JPEG, {len(photo) / 1e6:.2f} MB")
    p50 = {k: percentile(sorted(v), 50) for k, v in times.items()}
    for path in ("shrunk", "original"):
        listed = ", ".join(f"{t:.2f}" for t in times[path])
        body = percentile(sorted(bodies[path]), 50) / 1000
        print(f"{path:8s} photo-to-answer p50 {p50[path]:.2f} s (runs {listed}); upload body {body:.0f} kB")
        server = percentile(sorted(cpu[path]), 50)
        print(f"{'':8s} server-side CPU per photo (this process) p50 {server * 1000:.0f} ms")
    verdict = "met" if p50["shrunk"] <= GOAL_S else "NOT met"
    print(
        f"ratio shrunk/original {p50['shrunk'] / p50['original']:.2f}; goal p50 <= {GOAL_S:.0f} s: {verdict}"
    )


if __name__ == "__main__":
    main()
