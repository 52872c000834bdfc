"""What the gateway delivers to its sleeping nodes: signed configs and firmware bundles (gateway token).

``GET /api/v1/gateway/updates`` answers ``{"configs": {node: signed config blob},
"firmware": {"targets": {node: bundle version}}}`` for the gateway's own nodes; the gateway keeps
them as retained MQTT messages that each node finds at its next wake (``gateway.downlink``).
``GET /api/v1/gateway/updates/bundles/<version>`` is a bundle file, for a gateway one of whose
nodes is offered it. The rollouts advance here too, from the gateway's last fleet push.

The views are ``@public`` to the user-session guard only: this blueprint checks the gateway's
bearer token itself, as the ingest blueprint does, and answers 401 without one.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, g, request
from sqlalchemy import select

from server.auth import public
from server.auth.sessions import digest
from server.errors import problem
from server.openapi import doc
from server.registry.models import Gateway, Node
from server.services import services
from server.technician import firmware, gateway_health
from server.technician.models import FirmwareBundle, NodeConfigVersion

bp = Blueprint("gateway_updates", __name__, url_prefix="/api/v1/gateway/updates")


@bp.before_request
def authenticate_gateway() -> Response | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return problem(401, "Gateway token required", "Send 'Authorization: Bearer <gateway token>'.")
    with services().db.session() as session:
        gateway = session.scalar(select(Gateway).where(Gateway.token_hash == digest(header[7:].strip())))
        if gateway is None:
            return problem(401, "Unknown or revoked gateway token")
        g.gateway_id = gateway.id
    return None


def _targets(session: Any, node_ids: set[int]) -> dict[int, int]:
    reports = gateway_health.node_reports({g.gateway_id}, int(time.time()))
    return firmware.targets(session, node_ids, reports)


@bp.get("")
@public
@doc("Signed configs and firmware targets for this gateway's nodes (gateway token)", tag="gateway")
def updates() -> dict[str, Any]:
    with services().db.session() as session:
        nodes = session.scalars(select(Node).where(Node.gateway_id == g.gateway_id)).all()
        ids = {n.id for n in nodes}
        configs: dict[str, str] = {}
        for n in nodes:
            blob = session.scalar(
                select(NodeConfigVersion.blob)
                .where(NodeConfigVersion.node_id == n.id, NodeConfigVersion.blob.is_not(None))
                .order_by(NodeConfigVersion.version.desc())
                .limit(1)
            )
            if blob:
                configs[str(n.id)] = blob
        targets = _targets(session, ids)
    return {"configs": configs, "firmware": {"targets": {str(k): v for k, v in targets.items()}}}


@bp.get("/bundles/<int:version>")
@public
@doc("A firmware bundle file offered to one of this gateway's nodes (gateway token)", tag="gateway")
def bundle(version: int) -> Response:
    with services().db.session() as session:
        ids = set(session.scalars(select(Node.id).where(Node.gateway_id == g.gateway_id)))
        if version not in set(_targets(session, ids).values()):
            return problem(404, "No such bundle for this gateway's nodes")
        row = session.scalar(select(FirmwareBundle).where(FirmwareBundle.version == version))
        if row is None:
            return problem(404, "No such bundle for this gateway's nodes")
        data = bytes(row.data)
    return Response(data, mimetype="application/octet-stream")
