"""Technician API on the real app: provision (idempotent), QR label, signed configs, calibration
versions and recompute, config push → applied, fleet health going from "new" to "online"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from firmware.lib import nodeconfig
from server.registry.models import Node
from tests.mobile_api.test_officer_support import (
    OFFICER,
    TECHNICIAN,
    gateway_token,
    login,
    make_app,
    post_frame,
)

NEW_NODE: dict[str, Any] = {
    "node_id": 8801,
    "gateway_id": 1,
    "field_id": 2,
    "lat": 21.2355,
    "lon": 105.4940,
    "kind": "soil",
    "sensors": ["soil", "battery"],
    "probe_depth_cm": 30,
    "interval_s": 600,
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_app(tmp_path_factory.mktemp("tech"))
    yield app
    app.extensions["ruongso"].store.close()


def _node(app: Flask, node_id: int) -> Node:
    with app.extensions["ruongso"].db.session() as s:
        node = s.get(Node, node_id)
        assert node is not None
        s.expunge(node)
        return node


def test_provision_then_new_to_online_when_the_node_reports(app: Flask) -> None:
    tech = login(app, TECHNICIAN)
    setup = tech.get("/api/v1/tech/setup").get_json()
    assert setup["gateways"] and {f["id"] for f in setup["fields"]} >= {1, 2, 7}
    r = tech.post("/api/v1/tech/nodes", json=NEW_NODE)
    assert r.status_code == 201, r.get_json()
    assert tech.post("/api/v1/tech/nodes", json=NEW_NODE).status_code == 200  # offline-queue replay
    assert tech.post("/api/v1/tech/nodes", json=NEW_NODE | {"field_id": 3}).status_code == 409
    fleet = {n["id"]: n for n in tech.get("/api/v1/tech/fleet").get_json()["nodes"]}
    assert fleet[8801]["state"] == "new" and fleet[8801]["reasons"][0]["code"] == "never_seen"
    token = gateway_token(app)
    stored = post_frame(
        app, token, 8801, 1, {"soil_vwc": 0.31, "battery": 4.01, "rssi": -71, "config_version": 1}
    )
    assert stored["stored"] == 1
    fleet = {n["id"]: n for n in tech.get("/api/v1/tech/fleet").get_json()["nodes"]}
    assert fleet[8801]["state"] == "online" and fleet[8801]["battery_v"] == 4.01


def test_config_is_signed_with_the_node_key(app: Flask) -> None:
    tech = login(app, TECHNICIAN)
    blob = tech.get(f"/api/v1/tech/nodes/{NEW_NODE['node_id']}/config.json").get_data()
    key = bytes.fromhex(_node(app, NEW_NODE["node_id"]).key_hex)
    body = nodeconfig.parse(key, blob)
    assert body["node_id"] == 8801 and body["interval_s"] == 600 and body["sensors"] == ["soil", "battery"]
    assert tech.get("/api/v1/tech/nodes/8801/secrets.json").status_code == 404  # the key is no download
    answer = tech.post("/api/v1/tech/nodes/8801/device-files", json={})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert "attachment" not in answer.headers.get("Content-Disposition", "")
    files = {f["path"]: f["text"] for f in answer.get_json()["files"]}
    assert json.loads(files["secrets.json"])["node_key"] == key.hex()
    assert nodeconfig.parse(key, files["config.json"].encode())["version"] == 1
    assert {"main.py", "app.py", "lib/framecodec.py", "lib/soil.py", "pinout.json"} <= set(files)
    assert login(app, OFFICER).post("/api/v1/tech/nodes/8801/device-files", json={}).status_code == 403


def test_qr_label_is_svg(app: Flask) -> None:
    r = login(app, TECHNICIAN).get("/api/v1/tech/nodes/8801/label.svg")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml" and b"<svg" in r.data


def test_calibration_versions_config_and_recompute(app: Flask) -> None:
    tech, token = login(app, TECHNICIAN), gateway_token(app)
    post_frame(app, token, 8801, 2, {"soil_raw": 2290, "soil_vwc": 0.05, "battery": 4.0}, age_s=60)
    assert tech.get("/api/v1/tech/nodes/8801/raw").get_json()["raw_mv"] == 2290
    first = tech.post("/api/v1/tech/nodes/8801/calibrations", json={"dry_mv": 2290, "wet_mv": 1150})
    assert first.status_code == 201, first.get_json()
    second = tech.post(
        "/api/v1/tech/nodes/8801/calibrations",
        json={
            "dry_mv": 2290,
            "wet_mv": 1150,
            "points": [{"raw_mv": 1700, "wet_g": 128, "dry_g": 100, "bulk_density": 1.25}],
        },
    )
    assert second.get_json()["version"] == 2 and second.get_json()["model"] == "piecewise"
    assert _node(app, 8801).calibration == {"soil_vwc": "v2"}
    blob = tech.get("/api/v1/tech/nodes/8801/config.json").get_data()
    assert nodeconfig.parse(bytes.fromhex(_node(app, 8801).key_hex), blob)["soil_cal"]["model"] == "piecewise"
    post_frame(app, token, 8801, 3, {"soil_raw": 1700, "battery": 4.0})
    v1 = tech.get("/api/v1/tech/nodes/8801/recompute?version=1&hours=2").get_json()["points"]
    v2 = tech.get("/api/v1/tech/nodes/8801/recompute?hours=2").get_json()["points"]
    assert [p["raw_mv"] for p in v1] == [2290, 1700]
    assert v1[0]["vwc"] == 0.0 and v2[1]["vwc"] == pytest.approx(0.35)
    assert (
        tech.post("/api/v1/tech/nodes/8801/calibrations", json={"dry_mv": 1000, "wet_mv": 2000}).status_code
        == 422
    )


def test_config_push_is_seen_applied(app: Flask) -> None:
    tech, token = login(app, TECHNICIAN), gateway_token(app)
    pushed = tech.post(
        "/api/v1/tech/nodes/8801/config", json={"interval_s": 1800, "thresholds": {"soil_vwc": [0.2, 0.4]}}
    )
    assert pushed.status_code == 201, pushed.get_json()
    version = pushed.get_json()["version"]
    status = tech.get("/api/v1/tech/nodes/8801/config").get_json()
    assert status["desired"] == version and status["pending"]
    assert tech.post("/api/v1/tech/nodes/8801/config", json={"interval_s": 5}).status_code == 422
    post_frame(app, token, 8801, 4, {"battery": 4.0, "config_version": version})
    status = tech.get("/api/v1/tech/nodes/8801/config").get_json()
    assert not status["pending"] and status["versions"][0]["applied_at"] is not None


def test_only_technicians_of_the_gateway(app: Flask) -> None:
    officer = login(app, OFFICER)
    assert officer.get("/api/v1/tech/fleet").status_code == 403
    assert officer.post("/api/v1/tech/nodes", json=NEW_NODE | {"node_id": 8802}).status_code == 403
    tech = login(app, TECHNICIAN)
    assert (
        tech.post("/api/v1/tech/nodes", json=NEW_NODE | {"node_id": 8803, "gateway_id": 99}).status_code
        == 404
    )
    assert tech.post("/api/v1/tech/nodes", json=NEW_NODE | {"node_id": 8804, "lat": 48.1}).status_code == 422


def test_fleet_needs_visit_sorted(app: Flask) -> None:
    body = login(app, TECHNICIAN).get("/api/v1/tech/fleet").get_json()
    assert len(body["nodes"]) >= 13
    urgencies = [v["reasons"][0]["urgency"] for v in body["needs_visit"]]
    assert urgencies == sorted(urgencies, reverse=True)
    online = next(n for n in body["nodes"] if n["id"] == 4097)
    assert online["state"] == "online" and online["battery_slope_v_day"] < 0 and online["days_left"] > 0


def test_gateway_health_push_feeds_loss_and_firmware(app: Flask) -> None:
    token = gateway_token(app)
    doc = {
        "nodes": {
            "4098": {
                "node_id": 4098,
                "accepted": 80,
                "frames_lost": 40,
                "loss_ratio": 0.3333,
                "firmware": "0.3.1",
            }
        }
    }
    r = app.test_client().post(
        "/api/v1/gateway/health", json=doc, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 204
    body = login(app, TECHNICIAN).get("/api/v1/tech/fleet").get_json()
    node = next(n for n in body["nodes"] if n["id"] == 4098)
    assert node["frame_loss"] == pytest.approx(0.3333) and node["firmware"] == "0.3.1"
    assert "frame_loss" in [r["code"] for r in node["reasons"]]
