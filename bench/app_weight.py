"""Farmer app weight and slow-network load time (results: docs/benchmarks-app.md).

Page weight: gzip bytes of every JS and CSS response the signed-in home page loads.
Slow load: a cold phone (fresh profile, 390x844) on 400 kbit/s, 400 ms RTT, CPU 4x slower;
time from navigation to the first field's advice on screen (the session is made beforehand,
as for a farmer who signed in yesterday). Run: .venv/bin/python bench/app_weight.py
"""

from __future__ import annotations

import atexit
import gzip
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.mobile_api.seeding import seeded_app, serve
from tests.services import CHROMIUM, CHROMIUM_ARGS

LOGIN = {"phone": "0912000001", "password": "demo-nongdan-1"}
KBPS = 400


def main(runs: int = 3) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-weight-"))
    atexit.register(shutil.rmtree, data_dir, True)  # the seeded registry and time series
    app = seeded_app(data_dir, history_days=7)
    with serve(app) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cookies = requests.post(url + "/api/v1/auth/login", json=LOGIN, timeout=10).cookies
        jar = [{"name": c.name, "value": c.value or "", "url": url} for c in cookies]
        weights: dict[str, int] = {}
        times = []
        for i in range(runs + 1):
            ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            ctx.add_cookies(jar)  # type: ignore[arg-type]
            page = ctx.new_page()
            if i == 0:
                page.on(
                    "response",
                    lambda r: (
                        weights.__setitem__(r.url, len(gzip.compress(r.body(), 9)))
                        if r.url.endswith((".js", ".css"))
                        else None
                    ),
                )
            else:
                cdp = ctx.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send(
                    "Network.emulateNetworkConditions",
                    {
                        "offline": False,
                        "latency": 400,
                        "downloadThroughput": KBPS * 1000 / 8,
                        "uploadThroughput": KBPS * 1000 / 8,
                    },
                )
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            t0 = time.perf_counter()
            page.goto(url + "/#/home")
            page.locator(".advice").first.wait_for(timeout=60000)
            if i:
                times.append(time.perf_counter() - t0)
            ctx.close()
        browser.close()
    total = sum(weights.values())
    print(f"home page JS+CSS: {len(weights)} files, {total} bytes gzip ({total / 1024:.1f} KiB)")
    print(
        f"slow 3G ({KBPS} kbit/s, 400 ms RTT, CPU 4x), cold: median {statistics.median(times):.2f} s, "
        f"runs {', '.join(f'{t:.2f}' for t in times)}"
    )


if __name__ == "__main__":
    main()
