"""One node-health verdict (common.node_limits) on every screen: the gateway's fleet list, the
farmer's home, the demo overview, the officer map and the technician's fleet give the same
presence, battery and link for the same node, and switch from online to offline at the same age."""

from __future__ import annotations

import time
from typing import Any

import pytest

from common.node_limits import ONLINE_WINDOW_S, verdict
from gateway import fleet as gateway_fleet
from server.technician import fleet as tech_fleet
from server.timeseries.base import FrameRecord
from tests.server.conftest import ServerApp, js

# node facts: (age of the newest frame in s, battery V, RSSI dBm); None age = never heard from
CASES: list[tuple[int | None, float, float]] = [
    (2 * 3600, 3.40, -95.0),  # online, battery low, weak link
    (ONLINE_WINDOW_S, 3.90, -60.0),  # the last second online
    (ONLINE_WINDOW_S + 1, 3.25, -60.0),  # offline, battery empty
    (None, 0.0, 0.0),  # never seen
]


def _screens(app: ServerApp, node_ids: list[int]) -> dict[str, dict[int, dict[str, Any]]]:
    """Each screen's ``health`` per node id."""
    out: dict[str, dict[int, dict[str, Any]]] = {}
    home = js(app.client("farmer1").get("/api/v1/app/home?farm=1"))
    out["home"] = {n["id"]: n["health"] for f in home["fields"] for n in f["today"]["nodes"]}
    overview = js(app.client("farmer1").get("/api/v1/overview"))
    out["overview"] = {
        n["id"]: n["health"] for fm in overview["farms"] for f in fm["fields"] for n in f["nodes"]
    }
    officer = js(app.client("officer").get("/api/v1/officer/map"))
    out["officer"] = {f["properties"]["id"]: f["properties"]["health"] for f in officer["nodes"]["features"]}
    tech = js(app.client("technician").get("/api/v1/tech/fleet"))
    out["technician"] = {n["id"]: n["health"] for n in tech["nodes"]}
    return {screen: {i: got[i] for i in node_ids if i in got} for screen, got in out.items()}


def test_every_screen_gives_the_same_verdict(server_app: ServerApp, monkeypatch: pytest.MonkeyPatch) -> None:
    now = int(time.time())
    monkeypatch.setattr(time, "time", lambda: float(now))
    nodes = [n for n in server_app.seeded.nodes if n.farm_id == 1][: len(CASES)]
    assert len(nodes) == len(CASES)
    records = [
        FrameRecord(
            n.node_id, 1, now - age, n.farm_id, n.field_id, {"battery": v, "rssi": rssi, "soil_vwc": 0.3}
        )
        for n, (age, v, rssi) in zip(nodes, CASES, strict=True)
        if age is not None
    ]
    server_app.app.extensions["ruongso"].store.write(records)
    ids = [n.node_id for n in nodes]
    screens = _screens(server_app, ids)
    for node_id, (age, v, rssi) in zip(ids, CASES, strict=True):
        expected = verdict(age, v if age is not None else None, rssi if age is not None else None).as_json()
        state = {} if age is None else {"last_seen": now - age, "battery": v, "rssi": rssi}
        gateway = gateway_fleet.node_report(node_id, state, None, now)["health"]
        seen = {screen: got[node_id] for screen, got in screens.items()}
        assert seen == dict.fromkeys(("home", "overview", "officer", "technician"), expected), node_id
        assert gateway == expected, node_id
    presence = [verdict(age, None, None).presence for age, _, _ in CASES]
    assert presence == ["online", "online", "offline", "never_seen"]  # one window, 3 h, on every screen
    assert [screens["home"][i]["battery"] for i in ids[:3]] == ["low", "ok", "empty"]


def test_the_gateway_and_the_technician_name_the_same_reasons() -> None:
    """Offline after the common window (not the gateway's old hour), battery and weak link alike."""
    now = int(time.time())
    for age, offline in ((2 * 3600, False), (4 * 3600, True)):
        gw = gateway_fleet.node_report(7, {"last_seen": now - age, "battery": 3.4, "rssi": -95}, None, now)
        gw_codes = {r.code for r in gateway_fleet.reasons_for(gw)}
        tech_codes = {r.code for r in tech_fleet.reasons(tech_fleet.NodeHealth(age, battery_v=3.4, rssi=-95))}
        assert ("silent" in gw_codes, "offline" in tech_codes) == (offline, offline)
        assert {"battery_low", "weak_signal"} <= gw_codes and {"battery", "weak_signal"} <= tech_codes
