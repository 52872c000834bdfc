"""The ingestion endpoint on the real app (embedded store): auth, validation, idempotency."""

from __future__ import annotations

import gzip
import json
import time
from typing import Any

from flask.testing import FlaskClient

from server.ingest.dedupe import FEW_NODES
from tests.server.conftest import OTHER_NODE, ServerApp


def client(server_app: ServerApp) -> tuple[FlaskClient, str, list[int]]:
    seeded = server_app.seeded
    return server_app.client("admin"), seeded.gateway_token, [n.node_id for n in seeded.nodes]


def frame(node_id: int, counter: int, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"node_id": node_id, "counter": counter, "sampled_at": now - 60, "received_at": now,
            "values": {"soil_vwc": 0.31}} | extra  # fmt: skip


def post(c: FlaskClient, token: str, frames: list[dict[str, Any]], gz: bool = True) -> Any:
    body = json.dumps({"frames": frames}).encode()
    headers = {"Authorization": f"Bearer {token}"}
    if gz:
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    return c.post("/api/v1/gateway/frames", data=body, headers=headers, content_type="application/json")


def post_raw(c: FlaskClient, token: str, body: bytes) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    return c.post("/api/v1/gateway/frames", data=body, headers=headers, content_type="application/json")


def test_batch_is_idempotent_by_node_and_counter(any_app: ServerApp) -> None:
    c, token, nodes = client(any_app)
    t = int(time.time()) - 60  # one sample second for all, even if the clock ticks between frames
    first = post(
        c, token, [frame(nodes[0], 1, sampled_at=t), frame(nodes[0], 2, sampled_at=t), frame(nodes[1], 1)]
    )
    assert first.status_code == 200 and first.json == {"stored": 3, "duplicates": 0, "rejected": []}
    again = post(c, token, [frame(nodes[0], 2, sampled_at=t), frame(nodes[0], 3, sampled_at=t)], gz=False)
    assert again.json == {"stored": 1, "duplicates": 1, "rejected": []}
    series: Any = c.get(f"/api/v1/nodes/{nodes[0]}/series?channel=soil_vwc&hours=1").json
    assert len(series["points"]) == 3  # three frames in one sample second: all kept, none overwritten


def test_unknown_nodes_are_rejected_per_frame(server_app: ServerApp) -> None:
    c, token, nodes = client(server_app)
    result = post(c, token, [frame(nodes[0], 1), frame(123456, 1)]).json
    assert result["stored"] == 1
    assert result["rejected"] == [{"node_id": 123456, "counter": 1, "reason": "unknown_node"}]


def test_a_node_of_another_gateway_is_refused_in_steady_and_replay_batches(any_app: ServerApp) -> None:
    # Why: placement reads only the named nodes for a small batch and the whole gateway for a
    # large one; both must refuse a node placed on another gateway and an unknown id alike.
    c, token, nodes = client(any_app)
    strangers = [OTHER_NODE, 123456]
    small = [frame(nodes[0], 1), *(frame(n, 1) for n in strangers)]
    padding = [frame(nodes[0], k) for k in range(2, FEW_NODES + 3)]
    large = [frame(nodes[1], 1), *padding, *(frame(n + 1, 1) for n in range(200_000, 200_000 + FEW_NODES))]
    large += [frame(n, 2) for n in strangers]
    assert len({f["node_id"] for f in large}) > FEW_NODES
    for batch, stored in ((small, 1), (large, 1 + len(padding))):
        result = post(c, token, batch).json
        assert result["stored"] == stored, result
        refused = {r["node_id"] for r in result["rejected"] if r["reason"] == "unknown_node"}
        assert set(strangers) <= refused and nodes[0] not in refused and nodes[1] not in refused


def test_auth_and_validation_errors_are_problem_details(server_app: ServerApp) -> None:
    c, token, nodes = client(server_app)
    assert post(c, "wrong", [frame(nodes[0], 1)]).status_code == 401
    bad_cases = [
        [frame(nodes[0], 1, values={"soil_vwc": "wet"})],
        [frame(nodes[0], 1, values={"made_up": 1.0})],
        [frame(nodes[0], -1)],
        [frame(nodes[0], 1, sampled_at=int(time.time()) + 3600)],  # in the future beyond the skew
        [frame(nodes[0], 1, statuses={"air_rh": 0})],
        [frame(nodes[0], 1, values={"soil_vwc": True})],  # a bool is not a reading
        [frame(nodes[0], 1, values={"soil_vwc": None})],
        [frame(nodes[0], True)],
        [frame(nodes[0], 1, received_at=str(int(time.time())))],
        [frame(nodes[0], 1, flags=16)],
    ]
    for frames in bad_cases:
        response = post(c, token, frames)
        assert response.status_code == 400, frames
        assert response.content_type == "application/problem+json"
    overflow = b'{"frames": [{"node_id": %d, "counter": 1, "sampled_at": %d, "received_at": %d,'
    overflow += b' "values": {"soil_vwc": 1e999}}]}'  # parses to infinity
    now = int(time.time())
    inf = c.post("/api/v1/gateway/frames", data=overflow % (nodes[0], now - 60, now),
                 headers={"Authorization": f"Bearer {token}"}, content_type="application/json")  # fmt: skip
    assert inf.status_code == 400 and inf.content_type == "application/problem+json"
    for text in (b'{"frames": [NaN]}', b'{"frames": [}', b"\xff\xfe"):
        assert post_raw(c, token, text).status_code == 400
    garbage = c.post(
        "/api/v1/gateway/frames",
        data=b"\x1f\x8b not gzip",
        headers={"Authorization": f"Bearer {token}", "Content-Encoding": "gzip"},
    )
    assert garbage.status_code == 400


def test_a_rotated_gateway_token_replaces_the_old_one(server_app: ServerApp) -> None:
    c, token, nodes = client(server_app)
    tech = server_app.client("technician")
    fresh = tech.post("/api/v1/gateways/1/token")
    assert fresh.status_code == 201
    assert post(c, token, [frame(nodes[0], 1)]).status_code == 401
    assert post(c, fresh.get_json()["token"], [frame(nodes[0], 1)]).status_code == 200


def test_a_copy_inside_one_batch_is_a_duplicate_and_ints_are_readings(any_app: ServerApp) -> None:
    c, token, nodes = client(any_app)
    t = int(time.time()) - 60
    copy = frame(nodes[0], 7, sampled_at=t, values={"soil_vwc": 30, "soil_temp": 24.5})
    result = post(c, token, [copy, copy, frame(nodes[1], 7)]).json
    assert result == {"stored": 2, "duplicates": 1, "rejected": []}
    series: Any = c.get(f"/api/v1/nodes/{nodes[0]}/series?channel=soil_vwc&hours=1").json
    assert [p["v"] for p in series["points"]] == [30.0]


def test_overlapping_batches_from_two_workers_store_each_frame_once(any_app: ServerApp) -> None:
    """Two gateways (threads, separate connections) upload overlapping batches at the same time:
    every key is stored exactly once and neither request fails (no deadlock on the claimed keys)."""
    from concurrent.futures import ThreadPoolExecutor

    _c, token, nodes = client(any_app)
    t = int(time.time()) - 120
    batches = [
        [frame(n, k, sampled_at=t) for n in nodes for k in range(1, 41)],
        [frame(n, k, sampled_at=t) for n in reversed(nodes) for k in range(40, 0, -1)],
        [frame(n, k, sampled_at=t) for n in nodes for k in range(21, 61)],
    ]

    def send(frames: list[dict[str, Any]]) -> Any:
        return post(any_app.client("admin"), token, frames)

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(send, batches))
    assert [r.status_code for r in results] == [200, 200, 200]
    placed = len(nodes) - len({f["node_id"] for f in results[0].json["rejected"]})
    stored = sum(r.json["stored"] for r in results)
    duplicates = sum(r.json["duplicates"] for r in results)
    assert placed > 0 and stored == 60 * placed and duplicates == 120 * placed - stored
