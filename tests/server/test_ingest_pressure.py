"""Overload and outage: 429 + Retry-After when busy, 503 + Retry-After with InfluxDB down — and
in both cases nothing is recorded, so the gateway's retry stores every frame exactly once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from server.ingest.backpressure import _slots
from tests.server.conftest import ServerApp, js
from tests.server.test_ingest import frame, post
from tests.services import start_influxd


def test_busy_worker_answers_429_and_stores_nothing(server_app: ServerApp) -> None:
    c, token = server_app.app.test_client(), server_app.seeded.gateway_token
    node = server_app.seeded.nodes[0].node_id
    with server_app.app.app_context():
        slots = _slots()
    held = [slots.acquire(blocking=False) for _ in range(4)]  # the default four batches in flight
    assert all(held)
    busy = post(c, token, [frame(node, 1)])
    assert busy.status_code == 429 and busy.headers["Retry-After"] == "2"
    for _ in held:
        slots.release()
    assert js(post(c, token, [frame(node, 1)])) == {"stored": 1, "duplicates": 0, "rejected": []}


@pytest.mark.services
def test_influx_down_answers_503_then_the_retry_stores_everything(
    make_app: Callable[..., ServerApp], tmp_path: Path
) -> None:
    influx = start_influxd(tmp_path / "influx")
    url = f"influx://127.0.0.1:{influx.port}/outage"
    srv = make_app(tsdb_url=url)
    c, token = srv.app.test_client(), srv.seeded.gateway_token
    node = srv.seeded.nodes[0].node_id
    try:
        assert js(post(c, token, [frame(node, 1)]))["stored"] == 1
        influx.stop()
        down = post(c, token, [frame(node, 2), frame(node, 3)])
        assert down.status_code == 503 and down.headers["Retry-After"]
        influx = start_influxd(tmp_path / "influx", port=influx.port)  # same data directory
        again = js(post(c, token, [frame(node, 2), frame(node, 3)]))
        assert again == {"stored": 2, "duplicates": 0, "rejected": []}  # nothing was marked as seen
        store = srv.app.extensions["ruongso"].store
        assert store.latest([node])[node].counter in (2, 3)
    finally:
        influx.stop()
