"""A flagged value is kept and shown raw, but never reaches an hourly or daily rollup (issue 16, F7).

Through the real ingestion path on both stores: the gateway's batch goes to ``POST
/api/v1/gateway/frames``, the server flags what lies outside the channel catalogue's range, the
store rolls up (the embedded store as it writes; InfluxDB through the same SELECT … INTO its
continuous queries run), and the officer's and farmer's charts read ``/readings`` per node and per
field. 1.7e308 made those means Infinity before.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from common.quality import QUALITY_OUT_OF_RANGE, QUALITY_STUCK
from server.timeseries.base import FrameRecord
from server.timeseries.embedded import EmbeddedStore
from server.timeseries.resolution import day_bucket
from tests.server.conftest import ServerApp, js

HOUR = day_bucket(int(time.time())) - 2 * 86400 + 6 * 3600  # 06:00 local, two days ago


@pytest.fixture(params=["embedded", "influx"])
def app(request: pytest.FixtureRequest, make_app: Callable[..., ServerApp]) -> ServerApp:
    url = "embedded" if request.param == "embedded" else request.getfixturevalue("influx_url")
    return make_app(tsdb_url=url)


def ingest(app: ServerApp, frames: list[dict[str, Any]]) -> dict[str, Any]:
    body = gzip.compress(json.dumps({"frames": frames}).encode())
    headers = {"Authorization": f"Bearer {app.seeded.gateway_token}", "Content-Encoding": "gzip"}
    r = app.app.test_client().post(
        "/api/v1/gateway/frames", data=body, headers=headers, content_type="application/json"
    )
    assert r.status_code == 200, r.data
    backfill = getattr(app.app.extensions["ruongso"].store, "backfill", None)
    if backfill is not None:  # InfluxDB: the CQs' own SELECT … INTO, over the past range
        backfill(HOUR - 86400, HOUR + 86400)
    return dict(js(r))


def frame(
    node_id: int, counter: int, offset_s: int, values: dict[str, float], **extra: Any
) -> dict[str, Any]:
    t = HOUR + offset_s
    return {"node_id": node_id, "counter": counter, "sampled_at": t, "received_at": t + 5,
            "values": values} | extra  # fmt: skip


def test_a_flagged_value_never_reaches_a_mean(app: ServerApp) -> None:
    node = app.seeded.nodes[0]
    frames = [
        frame(node.node_id, 1, 0, {"soil_vwc": 0.30, "soil_n": 120.0, "rssi": -70.0}),
        frame(node.node_id, 2, 900, {"soil_vwc": 0.32, "soil_n": 140.0, "rssi": -80.0}),
        # out of range: flagged by the server itself, whatever the gateway said
        frame(node.node_id, 3, 1800, {"soil_vwc": 1.7e308, "soil_n": 65000.0, "rssi": 40.0}),
        # in range, but the gateway saw a stuck probe: flagged all the same
        frame(node.node_id, 4, 2700, {"soil_vwc": 0.60}, quality={"soil_vwc": QUALITY_STUCK}),
    ]
    assert ingest(app, frames)["stored"] == 4
    reader = app.client("admin")
    window = f"start={day_bucket(HOUR)}&end={HOUR + 86400}"
    for url, res in [
        (f"/api/v1/nodes/{node.node_id}/readings", "hour"),
        (f"/api/v1/nodes/{node.node_id}/readings", "day"),
        (f"/api/v1/fields/{node.field_id}/readings", "hour"),
        (f"/api/v1/fields/{node.field_id}/readings", "day"),
    ]:
        rows = js(reader.get(f"{url}?channel=soil_vwc&{window}&resolution={res}"))["points"]
        assert [(r["n"], r["max"]) for r in rows] == [(2, pytest.approx(0.32))], (url, res)
        assert rows[0]["mean"] == pytest.approx(0.31) and rows[0]["min"] == pytest.approx(0.30)
        npk = js(reader.get(f"{url}?channel=soil_n&{window}&resolution={res}"))["points"]
        assert [(r["n"], r["mean"]) for r in npk] == [(2, pytest.approx(130.0))], (url, res)
        rssi = js(reader.get(f"{url}?channel=rssi&{window}&resolution={res}"))["points"]
        assert [(r["n"], r["max"]) for r in rssi] == [(2, pytest.approx(-70.0))], (url, res)

    # the raw series still shows every value, each flagged one with its reason
    raw = js(reader.get(f"/api/v1/nodes/{node.node_id}/readings?channel=soil_vwc&{window}&resolution=raw"))
    assert [(p["v"], p["q"]) for p in raw["points"]] == [
        (0.30, 0), (0.32, 0), (1.7e308, QUALITY_OUT_OF_RANGE), (0.60, QUALITY_STUCK)
    ]  # fmt: skip


def test_a_bucket_of_only_flagged_values_has_no_rollup(app: ServerApp) -> None:
    node = app.seeded.nodes[0]
    ingest(app, [frame(node.node_id, 1, 3600, {"air_temp": 300.0, "soil_vwc": 0.25})])
    reader = app.client("admin")
    window = f"start={day_bucket(HOUR)}&end={HOUR + 86400}"
    url = f"/api/v1/nodes/{node.node_id}/readings?channel=air_temp&{window}"
    assert js(reader.get(f"{url}&resolution=hour"))["points"] == []
    assert js(reader.get(f"{url}&resolution=day"))["points"] == []
    vwc = js(reader.get(f"/api/v1/nodes/{node.node_id}/readings?channel=soil_vwc&{window}&resolution=hour"))
    assert [(r["n"], r["mean"]) for r in vwc["points"]] == [(1, pytest.approx(0.25))]


def test_a_store_rolled_up_by_an_older_release_is_corrected_once(tmp_path: Path) -> None:
    """Rollups an older release wrote with a flagged value averaged in are recomputed when the
    embedded store first opens after the upgrade; every later open leaves them alone."""
    path = str(tmp_path / "ts.sqlite")
    store = EmbeddedStore(path)
    store.write([FrameRecord(7, 1, HOUR, 1, 2, {"soil_vwc": 0.3}), FrameRecord(7, 2, HOUR + 60, 1, 2,
                 {"soil_vwc": 1.7e308}, {}, {"soil_vwc": QUALITY_OUT_OF_RANGE})])  # fmt: skip
    store.close()
    with sqlite3.connect(path) as conn:  # what the older release left behind
        for table in ("rollup", "field_rollup"):
            conn.execute(
                f"UPDATE {table} SET mean = 8.5e307, max = 1.7e308, count = 2 WHERE channel = 'soil_vwc'"
            )
        conn.execute("PRAGMA user_version = 0")
    reopened = EmbeddedStore(path)
    for read, key in ((reopened.aggregate, 7), (reopened.aggregate_fields, 2)):
        for res in ("hour", "day"):
            (row,) = read([key], "soil_vwc", day_bucket(HOUR), HOUR + 86400, res)[key]
            assert (row.count, row.mean, row.max) == (1, pytest.approx(0.3), pytest.approx(0.3)), (key, res)
    reopened.close()
