"""Issue 18 on the technician API, real app, frames through the real gateway ingest endpoint:
"Đọc giá trị" answers with the newest raw value however old and when it was sent; the config form
starts from the node's config; thresholds and intervals are checked (order, range, percent typed
where m³/m³ belongs) with reasons the app words in vi and en; "applied" is the version the node
acknowledged in its ``config_version`` channel, even when later frames do not repeat it — and end to
end, from a node frame made with the node's key through the real gateway (verification, outbox,
forwarder) to the app on a loopback port."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from firmware.lib import framecodec as fc
from gateway.intake import RawFrame
from gateway.service import Gateway, GatewayConfig
from server.registry.models import Node
from tests.mobile_api.seeding import serve
from tests.mobile_api.test_officer_support import TECHNICIAN, gateway_token, login, make_app, post_frame

STATIC = Path(__file__).resolve().parents[2] / "mobile_api" / "static" / "tech" / "i18n"
NODE: dict[str, Any] = {
    "node_id": 9301,
    "gateway_id": 1,
    "field_id": 2,
    "lat": 21.2355,
    "lon": 105.4940,
    "kind": "soil",
    "sensors": ["soil", "battery"],
    "interval_s": 600,
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_app(tmp_path_factory.mktemp("tech-config"))
    tech = login(app, TECHNICIAN)
    assert tech.post("/api/v1/tech/nodes", json=NODE).status_code == 201
    yield app
    app.extensions["ruongso"].store.close()


def _worded(body: dict[str, Any]) -> str:
    """The refusal's code, checked to have words in both catalogues of the technician app."""
    code = body["code"]
    for lang in ("vi", "en"):
        assert f"err_{code}" in json.loads((STATIC / f"{lang}.json").read_text()), (lang, code)
    return str(code)


def test_raw_value_is_found_however_old_with_its_time(app: Flask) -> None:
    tech, token = login(app, TECHNICIAN), gateway_token(app)
    silent = tech.get("/api/v1/tech/nodes/9301/raw").get_json()
    assert silent["raw_mv"] is None and silent["last_seen"] is None  # never heard: says so
    post_frame(app, token, 9301, 1, {"soil_raw": 2275, "soil_vwc": 0.08, "battery": 4.0}, age_s=9 * 3600)
    post_frame(app, token, 9301, 2, {"soil_vwc": 0.09, "battery": 4.0, "rssi": -70}, age_s=120)
    r = tech.get("/api/v1/tech/nodes/9301/raw").get_json()
    assert r["raw_mv"] == 2275  # nine hours old and not in the newest frame: still found
    assert r["age_s"] >= 9 * 3600 and 9 * 3600 - 125 <= r["last_seen"] - r["time"] <= 9 * 3600 - 115
    demo = tech.get("/api/v1/tech/nodes/4097/raw").get_json()  # demo nodes send the raw channel too
    assert demo["raw_mv"] is not None and 150 <= demo["raw_mv"] <= 2450 and demo["last_seen"] is not None


def test_form_starts_from_the_nodes_config_not_defaults(app: Flask) -> None:
    tech = login(app, TECHNICIAN)
    current = tech.get("/api/v1/tech/nodes/9301/config").get_json()["current"]
    assert current["interval_s"] == 600 and current["thresholds"] == {}  # provisioned at 10 min, not 15
    r = tech.post("/api/v1/tech/nodes/9301/config", json={"thresholds": {"soil_vwc": [0.22, 0.41]}})
    assert r.status_code == 201, r.get_json()
    current = tech.get("/api/v1/tech/nodes/9301/config").get_json()["current"]
    assert current == current | {"interval_s": 600, "thresholds": {"soil_vwc": [0.22, 0.41]}}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"thresholds": {"soil_vwc": [0.45, 0.2]}}, "threshold_order"),
        ({"thresholds": {"soil_vwc": [0.3, 0.3]}}, "threshold_order"),
        ({"thresholds": {"soil_vwc": [20, 45]}}, "threshold_scaled"),  # percent typed for m³/m³
        ({"thresholds": {"soil_vwc": [0.2, 0.9]}}, "threshold_range"),
        ({"thresholds": {"soil_vwc": [0.2, "nhiều"]}}, "threshold_number"),
        ({"thresholds": {"soil_vwc": [0.2]}}, "threshold_number"),
        ({"thresholds": {"laser": [1, 2]}}, "threshold_channel"),
        ({"interval_s": 5}, "config_range"),
        ({"interval_s": 1800.5}, "config_range"),
        ({"interval_s": True}, "config_range"),
        ({"low_batt_v": 9.0}, "config_range"),
        ({}, "config_empty"),
    ],
)
def test_bad_config_is_refused_with_a_worded_reason(app: Flask, change: dict[str, Any], code: str) -> None:
    tech = login(app, TECHNICIAN)
    before = tech.get("/api/v1/tech/nodes/9301/config").get_json()
    r = tech.post("/api/v1/tech/nodes/9301/config", json=change)
    assert r.status_code == 422 and _worded(r.get_json()) == code, r.get_json()
    after = tech.get("/api/v1/tech/nodes/9301/config").get_json()
    assert after["desired"] == before["desired"]  # nothing was made


def test_other_refusals_carry_worded_codes(app: Flask) -> None:
    tech = login(app, TECHNICIAN)
    assert _worded(tech.get("/api/v1/tech/nodes/999999/raw").get_json()) == "unknown_node"
    r = tech.post("/api/v1/tech/nodes/9301/calibrations", json={"dry_mv": 1000, "wet_mv": 2000})
    assert r.status_code == 422 and _worded(r.get_json()) == "cal_dry_above_wet"
    r = tech.post("/api/v1/tech/nodes", json=NODE | {"node_id": 9302, "lat": 48.1})
    assert r.status_code == 422 and _worded(r.get_json()) == "node_position"
    assert _worded(tech.post("/api/v1/tech/nodes", json=NODE | {"field_id": 3}).get_json()) == "node_exists"
    r = tech.post("/api/v1/tech/nodes", json=NODE | {"node_id": 9303, "interval_s": 30})
    assert r.status_code == 422 and _worded(r.get_json()) == "config_range"
    assert r.get_json()["params"] == {"key": "interval_s", "min": 60, "max": 86400}


def test_applied_is_the_version_the_node_acknowledged(app: Flask) -> None:
    tech, token = login(app, TECHNICIAN), gateway_token(app)
    post_frame(app, token, 9301, 3, {"battery": 4.0, "config_version": 1}, age_s=60)
    pushed = tech.post("/api/v1/tech/nodes/9301/config", json={"interval_s": 1800}).get_json()
    version = pushed["version"]
    status = tech.get("/api/v1/tech/nodes/9301/config").get_json()
    assert status["desired"] == version and status["reported"] == 1 and status["pending"]
    assert status["current"]["interval_s"] == 1800
    assert [v["applied_at"] for v in status["versions"] if v["version"] == version] == [None]
    fleet = {n["id"]: n for n in tech.get("/api/v1/tech/fleet").get_json()["nodes"]}
    assert fleet[9301]["config"] == {"desired": version, "reported": 1}
    assert "config_pending" in [r["code"] for r in fleet[9301]["reasons"]]

    post_frame(app, token, 9301, 4, {"battery": 4.0, "config_version": version}, age_s=30)
    post_frame(app, token, 9301, 5, {"battery": 4.0, "soil_vwc": 0.2})  # later frames need not repeat it
    status = tech.get("/api/v1/tech/nodes/9301/config").get_json()
    assert status["reported"] == version and not status["pending"]
    assert status["reported_at"] >= int(time.time()) - 90
    applied = [v["applied_at"] for v in status["versions"] if v["version"] == version]
    assert applied and applied[0] is not None
    fleet = {n["id"]: n for n in tech.get("/api/v1/tech/fleet").get_json()["nodes"]}
    assert fleet[9301]["config"] == {"desired": version, "reported": version}
    assert "config_pending" not in [r["code"] for r in fleet[9301]["reasons"]]


def test_acknowledgement_end_to_end_from_a_node_frame_through_the_gateway(app: Flask, tmp_path: Path) -> None:
    """A node frame (the real codec, the node's own key, flag CONFIG_ACK) verified and forwarded by
    the real gateway to the app on a loopback port: the pushed version turns "applied"."""
    tech = login(app, TECHNICIAN)
    assert tech.post("/api/v1/tech/nodes", json=NODE | {"node_id": 9311}).status_code == 201
    version = tech.post("/api/v1/tech/nodes/9311/config", json={"interval_s": 1200}).get_json()["version"]
    with app.extensions["ruongso"].db.session() as s:
        node = s.get(Node, 9311)
        assert node is not None
        key = bytes.fromhex(node.key_hex)
    ch = fc.CHANNEL_IDS
    with serve(app) as url:
        gateway = Gateway(GatewayConfig(data_dir=tmp_path / "gw", server_url=url, token=gateway_token(app)))
        try:
            assert gateway.refresh_keys()  # the new node's key, from the server
            for counter, readings, flags in (
                (1, [(ch["battery"], 4.05, 0), (ch["config_version"], 1, 0)], fc.FLAG_CONFIG_ACK),
                (2, [(ch["battery"], 4.05, 0), (ch["config_version"], version, 0)], fc.FLAG_CONFIG_ACK),
                (3, [(ch["battery"], 4.04, 0), (ch["soil_vwc"], 0.31, 0)], 0),
            ):
                frame = fc.encode(key, 9311, counter, 0, readings, flags)
                [result] = gateway.processor.process([RawFrame(frame, time.time(), 9311)])
                assert result.stored, result
            assert gateway.forwarder.drain() >= 1
        finally:
            gateway.shutdown()
    status = tech.get("/api/v1/tech/nodes/9311/config").get_json()
    assert status["reported"] == version and not status["pending"]
    assert status["current"]["interval_s"] == 1200


def test_fleet_remembers_an_acknowledgement_older_than_its_lookback(app: Flask) -> None:
    """The fleet reads two days back for every node; an older acknowledgement, once seen, holds."""
    tech, token = login(app, TECHNICIAN), gateway_token(app)
    assert tech.post("/api/v1/tech/nodes", json=NODE | {"node_id": 9312}).status_code == 201
    version = tech.post("/api/v1/tech/nodes/9312/config", json={"interval_s": 900}).get_json()["version"]
    post_frame(app, token, 9312, 1, {"battery": 4.0, "config_version": version}, age_s=3 * 86400)
    assert tech.get("/api/v1/tech/nodes/9312/config").get_json()["reported"] == version  # 31 days back
    post_frame(app, token, 9312, 2, {"battery": 4.0, "soil_vwc": 0.3})
    fleet = {n["id"]: n for n in tech.get("/api/v1/tech/fleet").get_json()["nodes"]}
    assert fleet[9312]["config"] == {"desired": version, "reported": version}
