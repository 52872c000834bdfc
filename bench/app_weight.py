"""Farmer app weight and slow-network load time (results: docs/benchmarks-app.md).

Page weight: gzip bytes of every JS and CSS response the signed-in home page loads.
Slow load: a cold phone (fresh profile, 390x844) on 400 kbit/s, 400 ms RTT, CPU 4x slower;
time from navigation to the first field's advice on screen (the session is made beforehand,
as for a farmer who signed in yesterday). Run: .venv/bin/python bench/app_weight.py

Each load is timed by wall-clock (what the farmer waits: the emulated network dominates) and by
CPU-seconds of the app server (this process; the app runs in a thread). The whole run's CPU-seconds,
Chromium included once it has exited, are printed at the end. The seeded registry and time series
are deleted at the end, also after an error or Ctrl-C.
"""

from __future__ import annotations

import gzip
import statistics
import sys
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.scratch import Scratch
from bench.timing import Meter, cpu_s, describe_machine, load_average
from demo.people import FARMERS
from tests.mobile_api.seeding import seeded_app, serve
from tests.services import CHROMIUM, CHROMIUM_ARGS

LOGIN = dict(zip(("phone", "password"), FARMERS[0][:2], strict=True))  # the demo's first farmer
KBPS = 400


def main(runs: int = 5) -> None:
    started = time.perf_counter()
    with Scratch("bench-weight-") as tmp:
        weights, times, server_cpu = measure(tmp.path, runs)
    total = sum(weights.values())
    print(f"machine: {describe_machine()}; {load_average()}")
    print(f"home page JS+CSS: {len(weights)} files, {total} bytes gzip ({total / 1024:.1f} KiB)")
    print(
        f"slow 3G ({KBPS} kbit/s, 400 ms RTT, CPU 4x), cold: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}), runs {', '.join(f'{t:.2f}' for t in times)}"
    )
    print(
        "  CPU per load of this process (app server + Playwright client): median "
        f"{statistics.median(server_cpu) * 1000:.0f} ms"
    )
    print(f"whole run: {time.perf_counter() - started:.1f} s wall, {cpu_s():.1f} CPU-s (Chromium included)")


def measure(data_dir: Path, runs: int) -> tuple[dict[str, int], list[float], list[float]]:
    app = seeded_app(data_dir, history_days=7)
    with serve(app) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cookies = requests.post(url + "/api/v1/auth/login", json=LOGIN, timeout=10).cookies
        jar = [{"name": c.name, "value": c.value or "", "url": url} for c in cookies]
        weights: dict[str, int] = {}
        times, server_cpu = [], []
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
            with Meter() as m:
                page.goto(url + "/#/home")
                page.locator(".advice").first.wait_for(timeout=60000)
            if i:
                times.append(m.wall_s)
                server_cpu.append(m.cpu_s)
            else:  # let every response of the weighed load arrive before its page closes
                page.wait_for_load_state("networkidle")
            ctx.close()
        browser.close()
    return weights, times, server_cpu


if __name__ == "__main__":
    main()
