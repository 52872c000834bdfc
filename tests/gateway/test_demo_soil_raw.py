"""The raw soil value end to end on the demo: simulated nodes → the gateway's verification and outbox
→ the server's time series → the technician's "Đọc giá trị" (``GET /api/v1/tech/nodes/<id>/raw``).

Calibration in the field dead-ended when no node sent ``soil_raw`` (issue 18); this runs ``farm demo``
through the installed script, logs in as the demo technician and reads every node's raw value the
way the calibration screen does.
"""

from __future__ import annotations

import http.cookiejar
import json
import queue
import re
import signal
import subprocess
import threading
import urllib.request
from pathlib import Path
from typing import Any

from firmware.lib import nodeconfig
from tests.cli.farmrun import clean_env, farm_script

READY = "Dừng / stop: Ctrl+C"
TECHNICIAN = {"phone": "0912000020", "password": "demo-kythuat"}  # demo/people.py


def _ready_url(proc: subprocess.Popen[str]) -> str:
    q: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            q.put(line.rstrip("\n"))
        q.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen = [""]
    while READY not in seen[-1]:
        line = q.get(timeout=90)
        assert line is not None, "demo ended early:\n" + "\n".join(seen)
        seen.append(line)
    return next(m.group(1) for line in seen if (m := re.search(r"(http://127\.0\.0\.1:\d+)/", line)))


class Session:
    def __init__(self, base: str) -> None:
        self.base = base
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)

    def call(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        req = urllib.request.Request(self.base + path, data=data, headers=headers)
        with self.opener.open(req, timeout=15) as r:
            return json.loads(r.read())


def test_demo_nodes_send_the_raw_soil_value_the_calibration_reads(tmp_path: Path) -> None:
    args = ["demo", "--port", "0", "--history-days", "0.1", "--data-dir", str(tmp_path / "demo")]
    proc = subprocess.Popen(
        [farm_script(), *args], cwd=tmp_path, env=clean_env(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        tech = Session(_ready_url(proc))
        tech.call("/api/v1/auth/login", TECHNICIAN)
        fleet = tech.call("/api/v1/tech/fleet")["nodes"]
        assert len(fleet) == 12, fleet
        cal = nodeconfig.DEFAULTS["soil_cal"]
        assert isinstance(cal, dict)
        for node in fleet:
            raw = tech.call(f"/api/v1/tech/nodes/{node['id']}/raw")
            # what the screen shows: a value in mV within the ADC's linear range, and when it was sent
            assert raw["raw_mv"] is not None, raw
            assert 150 <= raw["raw_mv"] <= 2450, raw
            assert raw["time"] is not None and 0 <= raw["age_s"] < 3 * 3600, raw
            # the raw value and the water content of the same frame agree under the node's (default)
            # calibration, to the raw value's 1 mV rounding
            if raw["soil_vwc"] is not None:
                expect = cal["dry_vwc"] + (raw["raw_mv"] * 1000 - cal["dry_uv"]) * (
                    cal["wet_vwc"] - cal["dry_vwc"]
                ) / (cal["wet_uv"] - cal["dry_uv"])
                assert abs(raw["soil_vwc"] - min(max(expect, 0.0), 0.6)) < 0.001, (raw, expect)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
