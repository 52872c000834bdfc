"""The channel catalogue (common.channels) is the one home of a channel's range, aggregation, role
and label: the gateway's checks, ingestion, both stores' rollups and the charts read it, and it
cannot fall out of step with the wire table (firmware/lib/framecodec.py)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from common import channels
from common.quality import QUALITY_OUT_OF_RANGE
from firmware.lib import framecodec
from gateway.checks import quality_flags
from server.timeseries import influx_rollup
from server.timeseries.base import SUM_CHANNELS
from tests.server.conftest import ServerApp, js
from tests.server.test_ingest import post

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "mobile_api" / "static"


def test_every_wire_channel_has_one_catalogue_entry_and_nothing_else() -> None:
    assert [c.key for c in channels.CATALOGUE.values()] == [spec[0] for spec in framecodec.CHANNELS.values()]
    for cid, (key, unit, _scale, _signed) in framecodec.CHANNELS.items():
        assert channels.CATALOGUE[key].wire_id == cid and channels.CATALOGUE[key].unit == unit


def test_a_wire_channel_without_an_entry_refuses_to_load(monkeypatch: pytest.MonkeyPatch) -> None:
    facts = dict(channels._FACTS)
    del facts["leaf_wetness"]
    monkeypatch.setattr(channels, "_FACTS", facts)
    with pytest.raises(RuntimeError, match="leaf_wetness"):
        channels._build()
    monkeypatch.setattr(channels, "_FACTS", dict(channels._FACTS, moisture_2={}))
    with pytest.raises(RuntimeError, match="moisture_2"):
        channels._build()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_channel_has_a_label_in_each_language(lang: str) -> None:
    strings = json.loads((STATIC / "i18n" / f"{lang}.json").read_text())
    missing = [c.label_key for c in channels.CATALOGUE.values() if not strings.get(c.label_key)]
    assert missing == []


def test_the_gateway_flags_exactly_outside_the_catalogue_range() -> None:
    for key, (lo, hi) in channels.VALID_RANGES.items():
        assert quality_flags({key: lo}, {}) == {} and quality_flags({key: hi}, {}) == {}, key
        assert quality_flags({key: hi + 1}, {})[key] & QUALITY_OUT_OF_RANGE, key
        assert quality_flags({key: lo - 1}, {})[key] & QUALITY_OUT_OF_RANGE, key
    # every channel has a physical range now (issue 16): nothing reaches a rollup unchecked
    assert set(channels.VALID_RANGES) == set(channels.CATALOGUE)
    assert quality_flags({"rssi": -200.0}, {}) == {"rssi": QUALITY_OUT_OF_RANGE}


def test_ingestion_flags_what_a_gateway_let_through(server_app: ServerApp) -> None:
    """A frame from a gateway that did not flag an impossible value: stored, flagged, never dropped."""
    node = next(n for n in server_app.seeded.nodes if n.kind == "soil").node_id
    now = int(time.time())
    frames = [{"node_id": node, "counter": 1, "sampled_at": now - 60, "received_at": now,
               "values": {"soil_vwc": 0.95, "soil_temp": 25.0, "battery": 3.9}}]  # fmt: skip
    assert js(post(server_app.app.test_client(), server_app.seeded.gateway_token, frames))["stored"] == 1
    rec = server_app.app.extensions["ruongso"].store.latest([node])[node]
    assert rec.values["soil_vwc"] == 0.95
    assert rec.quality == {"soil_vwc": QUALITY_OUT_OF_RANGE}


def test_rollups_aggregate_as_the_catalogue_says(server_app: ServerApp) -> None:
    assert channels.SUM_CHANNELS == SUM_CHANNELS == {"rain"}
    select = influx_rollup.rollup_select("db", "hour")
    for key, c in channels.CATALOGUE.items():
        assert (f'"{key}_mean"' in select) == (c.aggregation is not channels.Aggregation.NONE), key
        assert (f'"{key}_sum"' in select) == (c.aggregation is channels.Aggregation.SUM), key
    store = server_app.app.extensions["ruongso"].store
    node = next(n for n in server_app.seeded.nodes if n.kind == "weather").node_id
    t = int(time.time()) // 3600 * 3600 - 7200
    values = [{"rain": 0.5, "air_temp": 20.0 + i, "config_version": 3.0} for i in range(4)]
    frames = [{"node_id": node, "counter": i + 1, "sampled_at": t + i * 900, "received_at": t + i * 900,
               "values": v} for i, v in enumerate(values)]  # fmt: skip
    post(server_app.app.test_client(), server_app.seeded.gateway_token, frames)
    rain = store.aggregate([node], "rain", t, t, "hour")[node][0]
    temp = store.aggregate([node], "air_temp", t, t, "hour")[node][0]
    assert (rain.sum, rain.count) == (2.0, 4) and (temp.mean, temp.sum) == (21.5, None)
    assert store.aggregate([node], "config_version", t, t, "hour")[node] == []  # not rolled up


def test_the_web_app_reads_the_catalogue_instead_of_restating_it(server_app: ServerApp) -> None:
    got = js(server_app.client("farmer1").get("/api/v1/channels"))
    assert got["channels"] == channels.catalogue_json()
    assert [c["key"] for c in got["channels"] if c["chart"]] == [
        "soil_vwc",
        "air_temp",
        "rain",
        "leaf_wetness",
    ]
    chart, field = (
        (STATIC / "js" / "chart.js").read_text(),
        (STATIC / "js" / "views" / "field.js").read_text(),
    )
    assert '"/api/v1/channels"' in chart and "channels()" in field
    # a second copy would be a channel key beside its unit or scale in the front end
    unit_beside_key = re.compile(r'"(' + "|".join(channels.CATALOGUE) + r')"\s*,\s*"[^"]*"\s*,\s*\d')
    copies = [p.name for p in STATIC.rglob("*.js") if unit_beside_key.search(p.read_text())]
    assert copies == []
