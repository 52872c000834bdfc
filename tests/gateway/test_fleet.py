"""Fleet health: the sorted "needs a visit" list, the status page and ``farm gateway status``."""

from __future__ import annotations

import json
import random
import urllib.request
from pathlib import Path

import pytest

from cli.main import main as farm
from gateway import fleet
from gateway.forwarder import Forwarder, retry_after_s
from gateway.outbox import Outbox
from gateway.status_page import StatusServer, render_html

NOW = 1_790_000_000


def report(node_id: int, **state: object) -> dict[str, object]:
    base: dict[str, object] = {"accepted": 100, "last_seen": NOW - 60, "interval_s": 300, "battery": 4.0}
    return fleet.node_report(node_id, base | state, 3, NOW)


def test_needs_visit_is_sorted_by_urgency_with_bilingual_reasons() -> None:
    hist = [[NOW - 86400 + h * 3600, 3.70 - 0.004 * h] for h in range(24)]  # -0.1 V/day
    reports = [
        report(1),  # healthy
        report(2, last_seen=NOW - 5 * 3600),  # silent for 5 h
        report(3, battery=3.40, faults=["air_rh"]),
        report(4, rssi=-97, gaps=10),  # 9 % lost: severity 1
        report(5, battery=3.62, battery_hist=hist, config_version=2),
        fleet.node_report(6, {}, None, NOW),  # registered, never heard from
    ]
    visits = fleet.needs_visit(reports)
    assert [v.node_id for v in visits] == [3, 2, 5, 6, 4]
    assert [r.code for r in visits[0].reasons] == ["battery_low", "sensor_fault"]
    assert (
        visits[1].reasons[0].get("vi").startswith("Mất liên lạc 5,0 giờ")  # decimal comma in Vietnamese
        and visits[1].reasons[0].get("en") == "No data for 5.0 h"
    )
    assert {r.code for r in visits[2].reasons} == {"battery_falling", "config_outdated"}
    assert {r.code for r in visits[4].reasons} == {"weak_signal", "frame_loss"}
    trend = fleet.battery_trend_v_per_day(hist)
    assert trend == pytest.approx(-0.096, abs=1e-3)


def health_doc() -> dict[str, object]:
    reports = [report(3, battery=3.40, faults=["air_rh"]), report(1)]
    return {
        "time": NOW,
        "queue_depth": 12,
        "outbox_bytes": 2_000_000,
        "outbox_max_bytes": 1_000_000_000,
        "outbox_alarm": False,
        "last_upload": NOW - 30,
        "last_error": "server unreachable: <ConnectionError>",
        "rules_version": 7,
        "alerts": [
            {
                "rule_id": "r",
                "at": NOW - 60,
                "value": 0.2,
                "message_vi": "Độ ẩm <thấp>",
                "message_en": "Soil dry",
            },  # a health file written before alerts became message keys still reads
            {
                "rule_id": "r",
                "at": NOW - 30,
                "value": 0.2,
                "key": "rules.refill",
                "params": {},
                "message": {"vi": "Khô <quá>", "en": "Too dry"},
            },
        ],
        "nodes": {str(r["node_id"]): r for r in reports},
        "needs_visit": [
            {"node_id": v.node_id, "severity": v.severity, "reasons": [r.as_json() for r in v.reasons]}
            for v in fleet.needs_visit(reports)
        ],
    }


def test_status_page_is_self_contained_escaped_and_served_on_loopback() -> None:
    page = render_html(health_doc())
    assert "Nút cần kiểm tra" in page and "Nodes that need a visit" in page and "Pin yếu 3,40 V" in page
    assert "&lt;thấp&gt;" in page and "<thấp>" not in page  # server data is escaped
    assert "Khô &lt;quá&gt; <span class=en>/ Too dry</span>" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page  # no external assets
    srv = StatusServer(health_doc, "127.0.0.1", 0)
    srv.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{srv.port}/", timeout=5) as resp:
            assert resp.headers["Content-Type"].startswith("text/html") and "Pin yếu" in resp.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{srv.port}/health.json", timeout=5) as resp:
            assert json.loads(resp.read())["queue_depth"] == 12
    finally:
        srv.stop()


def test_status_command_prints_the_visit_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "health.json").write_text(json.dumps(health_doc()))
    assert farm(["gateway", "status", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "needs a visit / cần đến kiểm tra: 1" in out
    assert "[3] node / nút 3" in out and "Pin yếu 3,40 V: thay/sạc pin / Battery low 3.40 V" in out
    assert "Soil dry" in out


def test_backoff_is_full_jitter_capped_and_honours_retry_after(tmp_path: Path) -> None:
    fwd = Forwarder(Outbox(tmp_path / "o.sqlite"), "http://127.0.0.1:9", "t", rng=random.Random(1))
    delays = [fwd.backoff_s(attempt) for attempt in range(1, 40)]
    assert all(0 <= d <= 60 for d in delays) and max(delays[10:]) > 30  # reaches the cap region
    assert fwd.backoff_s(1, floor_s=120) == 120  # the server's Retry-After wins
    assert (retry_after_s("5"), retry_after_s(None), retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT")) == (
        5,
        0,
        0,
    )


def test_batch_size_halves_on_network_failures(tmp_path: Path) -> None:
    from firmware.lib import framecodec as fc
    from gateway.forwarder import RetryLater
    from gateway.intake import FrameProcessor, RawFrame
    from gateway.keys import NodeKeys
    from tests.services import free_port

    keys = NodeKeys(tmp_path / "k.json")
    keys.update({"nodes": [{"node_id": 7, "key": (b"k" * 16).hex()}]})
    outbox = Outbox(tmp_path / "o.sqlite")
    FrameProcessor(outbox, keys).process(
        [RawFrame(fc.encode(b"k" * 16, 7, c, 0, [(1, 0.3, 0)]), 1e9) for c in range(1, 1001)]
    )
    fwd = Forwarder(
        outbox, f"http://127.0.0.1:{free_port()}", "t", batch_size=800, min_batch=100, timeout_s=2
    )
    limits = []
    for _ in range(5):
        with pytest.raises(RetryLater):
            fwd.send_once()
        limits.append(fwd._limit)
    assert limits == [400, 200, 100, 100, 100] and outbox.depth() == 1000
