"""Gateway-facing HTTP endpoints: batch ingestion and the gateway's node configuration."""

from __future__ import annotations

import time
from typing import Any

import orjson
from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import select

from server.auth.sessions import digest
from server.auth.writes import writes
from server.errors import problem
from server.ingest.backpressure import limit_concurrency
from server.ingest.batch import BatchError, decompress, flag_out_of_range, parse_frames
from server.ingest.dedupe import claim, placements
from server.openapi import doc
from server.registry.models import Gateway, Node
from server.services import services
from server.technician import gateway_health as gateway_docs
from server.technician.configs import record_acknowledgements
from server.timeseries.base import FrameRecord, StoreUnavailable
from server.validation import BadRequestBody, loads_strict

bp = Blueprint("ingest", __name__, url_prefix="/api/v1/gateway")


@bp.before_request
def authenticate_gateway() -> Response | None:
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():  # the scheme is case-insensitive (RFC 9110)
        return problem(401, "Gateway token required", "Send 'Authorization: Bearer <gateway token>'.")
    with services().db.session() as session:
        gateway = session.scalar(select(Gateway).where(Gateway.token_hash == digest(token.strip())))
        if gateway is None:
            return problem(401, "Unknown or revoked gateway token")
        g.gateway_id = gateway.id
    return None


@bp.get("/config")
@doc("Keys and placement of this gateway's nodes (gateway token)", tag="gateway")
def gateway_config() -> Response:
    """Keys and placement of this gateway's nodes, cached by the gateway for offline verification."""
    with services().db.session() as session:
        nodes = session.scalars(select(Node).where(Node.gateway_id == g.gateway_id)).all()
        body = {
            "gateway_id": g.gateway_id,
            "nodes": [
                {
                    "node_id": n.id,
                    "key": n.key_hex,
                    "field_id": n.field_id,
                    "farm_id": n.field.farm_id if n.field else None,
                    "config_version": n.config_version,
                }
                for n in nodes
            ],
        }
    return jsonify(body)


@bp.post("/frames")
@writes(gateway=True, audit=False)  # every frame is kept by (node, counter); a row per batch would double it
@limit_concurrency
@doc("Upload a batch of verified frames; idempotent by (node, counter) (gateway token)", tag="gateway")
def ingest_frames() -> Response | tuple[Response, int]:
    settings = current_app.config["RUONGSO_SETTINGS"]
    now = int(time.time())
    try:
        raw = decompress(request.get_data(cache=False), request.headers.get("Content-Encoding"))
        frames = parse_frames(orjson.loads(raw), now, settings.max_batch_frames, settings.max_clock_skew_s)
    except (BatchError, ValueError) as exc:
        return problem(400, "Invalid batch", str(exc))
    flag_out_of_range(frames)
    svc = services()
    try:
        with svc.db.session() as session:
            placement = placements(session, g.gateway_id, {f.node_id for f in frames})
            fresh, duplicates, rejected = claim(session, frames, placement, g.gateway_id, now)
            records = [
                FrameRecord(
                    f.node_id, f.counter, f.sampled_at, *placement[f.node_id], f.values, f.statuses, f.quality
                )
                for f in fresh
            ]
            # a node's reported config version is its acknowledgement: recorded with the same commit
            record_acknowledgements(session, records)
            # The claimed keys commit only after this write; a failure rolls them back. A crash
            # between the write and the commit only causes a rewrite of the same points.
            svc.store.write(records)
    except StoreUnavailable as exc:
        current_app.logger.warning("time-series store unavailable: %s", exc)
        resp = problem(503, "Storage temporarily unavailable", "Nothing was stored; retry later.")
        resp.headers["Retry-After"] = "5"
        return resp
    return jsonify({"stored": len(fresh), "duplicates": duplicates, "rejected": rejected})


# -- gateway health and local rules: registry rows shared by every app host (issue 19) -----------
MAX_HEALTH_BYTES = 2 * 1024 * 1024
EMPTY_RULES: dict[str, Any] = {"version": 0, "rules": []}


def _gateway_doc(kind: str) -> dict[str, Any] | None:
    data_dir = current_app.config["RUONGSO_SETTINGS"].data_dir
    with services().db.session() as session:
        return gateway_docs.load(session, g.gateway_id, kind, data_dir)


@bp.get("/rules")
@doc("The versioned local rule set for this gateway (gateway token)", tag="gateway")
def gateway_rules() -> Response:
    """The versioned local rule set for this gateway (``gateway_document``, kind ``rules``).

    The gateway keeps its last good set when this fails, so rules work offline.
    """
    return jsonify(_gateway_doc(gateway_docs.RULES) or EMPTY_RULES)


@bp.post("/health")
@writes(gateway=True, audit=False)
@doc("Push the gateway's fleet health (gateway token)", tag="gateway")
def gateway_health() -> Response | tuple[str, int]:
    """Fleet health pushed by the gateway; the latest document per gateway is kept."""
    raw = request.get_data(cache=False)
    if len(raw) > MAX_HEALTH_BYTES:
        return problem(413, "Health document too large")
    try:  # NaN or Infinity would be stored and served back as JSON no parser accepts
        doc = loads_strict(raw)
    except BadRequestBody as exc:
        return problem(400, "Invalid health document", f"Body must be JSON with finite numbers: {exc}")
    if not isinstance(doc, dict):
        return problem(400, "Invalid health document", "Body must be a JSON object.")
    now = int(time.time())
    doc["received_at"] = now
    with services().db.session() as session:
        gateway_docs.save(session, g.gateway_id, gateway_docs.HEALTH, doc, now)
    return "", 204


@bp.get("/health")
@doc("The last fleet health this gateway pushed (gateway token)", tag="gateway")
def gateway_health_latest() -> Response | tuple[str, int]:
    """The latest health document this gateway pushed (for the gateway's own checks and tests)."""
    body = _gateway_doc(gateway_docs.HEALTH)
    if body is None:
        return problem(404, "No health pushed yet")
    return jsonify(body)
