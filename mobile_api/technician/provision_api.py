"""Provisioning: register a node (typed or scanned from its QR label), bind it to a field and a
position, choose its sensors and probe depth; the server makes its key and signed config v1.

Re-sending the same registration (the phone's offline queue) returns the node already made.
Flash it with the firmware's ``farm node deploy PORT --config-dir DIR`` (config.json + secrets.json).
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Response

from mobile_api.technician import access
from server.auth import current_user
from server.auth.roles import Role
from server.auth.writes import writes
from server.errors import problem
from server.openapi import doc
from server.registry.geo import centroid
from server.registry.models import Node
from server.services import services
from server.technician import configs
from server.validation import INT64, json_body

bp = Blueprint("tech_provision", __name__)
KINDS = ("soil", "weather")


class BadNode(ValueError):
    """A registration the server refuses; ``code`` names the rule for the app's i18n (``err_<code>``)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def node_json(n: Node) -> dict[str, Any]:
    return {
        "id": n.id,
        "name": n.name,
        "kind": n.kind,
        "field_id": n.field_id,
        "gateway_id": n.gateway_id,
        "lat": n.lat,
        "lon": n.lon,
        "probe_depth_cm": n.probe_depth_cm,
        "sensors": n.sensors,
        "config_version": n.config_version,
        "calibration": n.calibration,
        "label_svg": f"/api/v1/tech/nodes/{n.id}/label.svg",
    }


@bp.get("/api/v1/tech/setup")
@access.tech_only
@doc("Fields, gateways and sensor choices a technician may provision into", tag="technician")
def setup() -> dict[str, Any]:
    with services().db.session() as db:
        return {
            "gateways": [{"id": g.id, "name": g.name} for g in access.gateways(db)],
            "fields": [
                {"id": f.id, "name": f.name, "crop": f.crop, "centroid": centroid(f.geometry)}
                for f in access.install_fields(db)
            ],
            "sensors": list(configs.SENSOR_CHOICES),
            "kinds": list(KINDS),
        }


def _parse(body: dict[str, Any]) -> dict[str, Any]:
    try:
        out: dict[str, Any] = {
            "id": int(body["node_id"]),
            "gateway_id": int(body["gateway_id"]),
            "field_id": int(body["field_id"]),
            "lat": float(body["lat"]),
            "lon": float(body["lon"]),
            "kind": str(body.get("kind") or "soil"),
            "probe_depth_cm": int(body.get("probe_depth_cm") or 20),
            "sensors": list(body.get("sensors") or []),
            "interval_s": int(body.get("interval_s") or 900),
            "name": str(body.get("name") or "")[:100],
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise BadNode("node_id, gateway_id, field_id, lat, lon are required numbers", "node_numbers") from exc
    if not all(1 <= out[k] <= INT64 for k in ("gateway_id", "field_id")):  # beyond 64 bits: 500
        raise BadNode("gateway_id and field_id must be ids", "node_numbers")
    if not 1 <= out["id"] <= 0xFFFFFFFF or out["kind"] not in KINDS or not 5 <= out["probe_depth_cm"] <= 120:
        raise BadNode("node_id 1..4294967295, kind soil|weather, probe depth 5-120 cm", "node_ranges")
    if not (8 <= out["lat"] <= 24 and 102 <= out["lon"] <= 110):
        raise BadNode("the position is not in Vietnam: check the GPS fix or the typed numbers",
                      "node_position")  # fmt: skip
    if any(s not in configs.SENSOR_CHOICES for s in out["sensors"]):
        raise BadNode(f"sensors must be among {list(configs.SENSOR_CHOICES)}", "node_sensors")
    return out


@bp.post("/api/v1/tech/nodes")
@writes(Role.TECHNICIAN, Role.ADMIN)  # the handler checks the gateway and field it names
@access.tech_only
@doc("Register a node: bind it to a field and position, generate its key and config", tag="technician")
def register() -> Response | tuple[dict[str, Any], int]:
    try:
        spec = _parse(json_body())
    except BadNode as exc:
        return problem(422, "Invalid node", str(exc), code=exc.code)
    try:
        configs.check_form({"interval_s": spec["interval_s"]})  # the config form's rule, worded the same
        return _create(spec)
    except configs.ConfigInvalid as exc:  # raised before or inside the transaction: nothing was stored
        return problem(422, "Invalid node config", str(exc), code=exc.code, params=exc.params)


def _create(spec: dict[str, Any]) -> Response | tuple[dict[str, Any], int]:
    user = current_user()
    with services().db.session() as db:
        old = db.get(Node, spec["id"])
        if old is not None:
            mine = access.node_for_write(db, old.id)
            if mine is not None and mine.field_id == spec["field_id"]:
                return node_json(mine), 200  # a replay from the offline queue
            return problem(409, "Node id already registered", code="node_exists")
        if spec["gateway_id"] not in {g.id for g in access.gateways(db)}:
            return problem(404, "Unknown gateway", code="unknown_gateway")
        if spec["field_id"] not in {f.id for f in access.install_fields(db)}:
            return problem(404, "Unknown field", code="unknown_field")
        interval = spec.pop("interval_s")
        node = Node(
            **spec | {"name": spec["name"] or str(spec["id"])},
            key_hex=os.urandom(16).hex(),
            calibration={},
            config_version=1,
        )
        db.add(node)
        db.flush()
        configs.push(
            db,
            node,
            {"interval_s": interval, "sensors": spec["sensors"]},
            user.id if user else None,
            initial=True,
        )
        return node_json(node), 201
