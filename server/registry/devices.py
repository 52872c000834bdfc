"""Gateways and nodes for the people who maintain them; policy decides who sees and edits what."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import select

from server.auth import current_user
from server.auth import policy as pol
from server.auth.roles import Role
from server.auth.sessions import digest
from server.auth.writes import writes
from server.errors import problem
from server.openapi import doc
from server.pagination import page
from server.registry.models import Gateway, Node
from server.registry.views import gateway_view, node_view
from server.services import services
from server.validation import json_body, number

bp = Blueprint("devices", __name__, url_prefix="/api/v1")
EDITABLE: dict[str, Callable[[Any], Any]] = {  # finite and in range: "nan" or 1e300 is a 400
    "lat": lambda v: _required(number(v, "lat", -90, 90)),
    "lon": lambda v: _required(number(v, "lon", -180, 180)),
    "probe_depth_cm": lambda v: _required(number(v, "probe_depth_cm", 1, 500, integer=True)),
    "name": lambda v: str(v)[:100],
}


def _required(value: float | int | None) -> float | int:
    if value is None:
        raise ValueError("a number is required")
    return value


@bp.get("/gateways")
@doc("Gateways you may see", tag="devices", query={"limit": "integer: page size", "offset": "integer: skip"})
def list_gateways() -> dict[str, Any]:
    with services().db.session() as session:
        ids = pol.visible_gateway_ids(session, current_user())
        rows, paging = page(session, select(Gateway).where(Gateway.id.in_(ids)).order_by(Gateway.id))
        return {"items": [gateway_view(g) for g in rows], "paging": paging}


@bp.get("/nodes/<int:node_id>")
@doc("One node: placement, sensors, calibration versions, config version", tag="devices")
def get_node(node_id: int) -> Response | dict[str, Any]:
    with services().db.session() as session:
        node = session.get(Node, node_id)
        if node is None or not pol.can_view_node(session, current_user(), node_id):
            return problem(404, "No such node")
        return node_view(node)


@bp.patch("/nodes/<int:node_id>")
@writes(Role.TECHNICIAN, Role.ADMIN, target="node")
@doc(
    "Move or recalibrate a node (bumps its config version)",
    tag="devices",
    body={"lat": "number", "lon": "number", "probe_depth_cm": "integer", "calibration": "object"},
)
def patch_node(node_id: int) -> Response | dict[str, Any]:
    body = json_body()
    with services().db.session() as session:
        node = session.get(Node, node_id)
        if node is None or not pol.can_view_node(session, current_user(), node_id):
            return problem(404, "No such node")
        if not pol.can_maintain_node(session, current_user(), node):
            return problem(403, "Only the node's technician may change it")
        try:
            for key, kind in EDITABLE.items():
                if key in body:
                    setattr(node, key, kind(body[key]))
            if "calibration" in body:
                if not isinstance(body["calibration"], dict):
                    raise ValueError("calibration must map sensor → version")
                node.calibration = {str(k): str(v) for k, v in body["calibration"].items()}
        except (TypeError, ValueError) as exc:
            return problem(400, "Invalid node change", str(exc))
        node.config_version += 1  # the gateway pushes the new config to the node on its next wake
        session.flush()
        return node_view(node)


@bp.post("/gateways/<int:gateway_id>/token")
@writes(Role.TECHNICIAN, Role.ADMIN, target="gateway")
@doc("Issue a new gateway token; the old one stops working at once (shown once)", tag="devices")
def rotate_gateway_token(gateway_id: int) -> Response | tuple[Response, int]:
    with services().db.session() as session:
        gateway = session.get(Gateway, gateway_id)
        if gateway is None or gateway_id not in pol.visible_gateway_ids(session, current_user()):
            return problem(404, "No such gateway")
        if not pol.can_maintain_gateway(session, current_user(), gateway_id):
            return problem(403, "Only the gateway's technician may rotate its token")
        token = secrets.token_urlsafe(32)
        gateway.token_hash = digest(token)  # the same hash the gateway's bearer check looks up
    return jsonify({"gateway_id": gateway_id, "token": token}), 201
