"""Push a config change (interval, thresholds) to a node and watch it being applied."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response
from sqlalchemy import select

from mobile_api.technician import access
from server.auth import current_user
from server.errors import problem
from server.openapi import doc
from server.services import services
from server.technician import configs
from server.technician.models import NodeConfigVersion
from server.validation import json_body

bp = Blueprint("tech_config", __name__)


def _version_json(r: NodeConfigVersion) -> dict[str, Any]:
    return {
        "version": r.version,
        "body": r.body,
        "signed": r.blob is not None,
        "created_at": r.created_at,
        "applied_at": r.applied_at,
    }


@bp.get("/api/v1/tech/nodes/<int:node_id>/config")
@access.tech_only
@doc("The node's pending and applied config versions", tag="technician")
def status(node_id: int) -> Response | dict[str, Any]:
    svc = services()
    rec = svc.store.latest([node_id]).get(node_id)
    with svc.db.session() as db:
        node = access.node_for_read(db, node_id)
        if node is None:
            return problem(404, "Unknown node")
        reported = configs.mark_applied(
            db, node_id, rec.values.get("config_version") if rec else None, rec.time_s if rec else 0
        )
        rows = db.scalars(
            select(NodeConfigVersion)
            .where(NodeConfigVersion.node_id == node_id)
            .order_by(NodeConfigVersion.version.desc())
        ).all()
        return {
            "node_id": node_id,
            "desired": node.config_version,
            "reported": reported,
            "pending": reported is None or reported < node.config_version,
            "versions": [_version_json(r) for r in rows],
        }


@bp.post("/api/v1/tech/nodes/<int:node_id>/config")
@access.tech_only
@doc("Push a config change (interval, thresholds, calibration) to a node", tag="technician")
def push(node_id: int) -> Response | tuple[dict[str, Any], int]:
    body = json_body()
    names = ("interval_s", "send_every", "thresholds", "low_batt_v")
    changes: dict[str, Any] = {k: body[k] for k in names if k in body}
    if not changes:
        return problem(422, "Nothing to change", "send interval_s, send_every, thresholds or low_batt_v")
    user = current_user()
    try:
        with services().db.session() as db:
            node = access.node_for_write(db, node_id)
            if node is None:
                return problem(404, "Unknown node")
            row = configs.push(db, node, changes, user.id if user else None)
            return _version_json(row), 201
    except configs.ConfigInvalid as exc:
        return problem(422, "Invalid config", str(exc))
