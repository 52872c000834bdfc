"""A node's config acknowledgement is recorded when its frame arrives, not when a page is opened.

Before, ``NodeConfigVersion.applied_at`` was only set by the technician's fleet and config reads, so
a version the node took while nobody looked stayed "not acknowledged" once its frames fell out of
the fleet's two-day look-back. The technician pushes through the HTTP API, the gateway posts the
node's frame through ingestion, and the registry is read directly (opening the config page would
itself record the acknowledgement and hide the bug).
"""

from __future__ import annotations

import gzip
import json
import time
from typing import Any

from sqlalchemy import select

from server.technician.configs import last_acknowledged
from server.technician.models import NodeConfigVersion
from tests.server.conftest import ServerApp, js


def ingest(app: ServerApp, frames: list[dict[str, Any]]) -> dict[str, Any]:
    body = gzip.compress(json.dumps({"frames": frames}).encode())
    headers = {"Authorization": f"Bearer {app.seeded.gateway_token}", "Content-Encoding": "gzip"}
    r = app.app.test_client().post(
        "/api/v1/gateway/frames", data=body, headers=headers, content_type="application/json"
    )
    assert r.status_code == 200, r.data
    return dict(js(r))


def applied(app: ServerApp, node_id: int) -> dict[int, int | None]:
    with app.app.extensions["ruongso"].db.session() as s:
        rows = s.scalars(select(NodeConfigVersion).where(NodeConfigVersion.node_id == node_id)).all()
        return {r.version: r.applied_at for r in rows}


def test_the_reported_version_is_acknowledged_at_ingestion(server_app: ServerApp) -> None:
    node = server_app.seeded.nodes[0].node_id
    tech = server_app.client("admin")
    pushed = []
    for interval in (600, 900):
        r = tech.post(f"/api/v1/tech/nodes/{node}/config", json={"interval_s": interval})
        assert r.status_code == 201, r.json
        pushed.append(js(r)["version"])
    first, second = pushed
    assert all(applied(server_app, node)[v] is None for v in pushed)

    now = int(time.time())
    # the node took the first push: a frame far older than the fleet's look-back still counts
    old = now - 10 * 86400
    frame = {"node_id": node, "counter": 50, "sampled_at": old, "received_at": old + 3,
             "flags": 2, "values": {"battery": 4.0, "config_version": float(first)}}  # fmt: skip
    assert ingest(server_app, [frame])["stored"] == 1
    after_first = applied(server_app, node)
    assert after_first[first] == old and after_first[second] is None

    # a retry of the same frame changes nothing; an impossible version (flagged) is no acknowledgement
    assert ingest(server_app, [frame])["duplicates"] == 1
    bogus = {"node_id": node, "counter": 51, "sampled_at": now - 120, "received_at": now - 110,
             "values": {"config_version": 70000.0}}  # fmt: skip
    assert ingest(server_app, [bogus])["stored"] == 1
    assert applied(server_app, node)[second] is None

    later = {"node_id": node, "counter": 52, "sampled_at": now - 60, "received_at": now - 55,
             "flags": 2, "values": {"config_version": float(second)}}  # fmt: skip
    ingest(server_app, [later])
    final = applied(server_app, node)
    assert final[first] == old and final[second] == now - 60
    with server_app.app.extensions["ruongso"].db.session() as s:
        assert last_acknowledged(s, node) == second
