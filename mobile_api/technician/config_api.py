"""Push a config change (interval, thresholds) to a node and watch it being applied.

The form starts from the node's current config (``current``), the checks are the firmware schema's
and the channel catalogue's (``configs.check_form``), and "applied" means the node acknowledged the
version in its channel ``config_version`` (issue 18): until then the screen says which version the
node is still waiting to take.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response
from sqlalchemy import select

from mobile_api.technician import access
from server.auth import current_user
from server.auth.roles import Role
from server.auth.writes import writes
from server.errors import problem
from server.openapi import doc
from server.services import services
from server.technician import configs, readings
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


def invalid(exc: configs.ConfigInvalid, title: str = "Invalid config") -> Response:
    """422 with the rule's i18n code and parameters (the technician app words it in vi or en)."""
    return problem(422, title, str(exc), code=exc.code, params=exc.params)


@bp.get("/api/v1/tech/nodes/<int:node_id>/config")
@access.tech_only
@doc("The node's current config, and its pushed and acknowledged versions", tag="technician")
def status(node_id: int) -> Response | dict[str, Any]:
    svc, now = services(), int(time.time())
    acked = readings.last_value(svc.store, node_id, "config_version", now)
    with svc.db.session() as db:
        node = access.node_for_read(db, node_id)
        if node is None:
            return problem(404, "Unknown node", code="unknown_node")
        reported = configs.mark_applied(
            db, node_id, acked.value if acked else None, acked.time_s if acked else 0
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
            "reported_at": acked.time_s if acked else None,
            "pending": reported != node.config_version,
            "current": configs.effective(db, node),
            "versions": [_version_json(r) for r in rows],
        }


@bp.post("/api/v1/tech/nodes/<int:node_id>/config")
@writes(Role.TECHNICIAN, Role.ADMIN, target="node")
@access.tech_only
@doc("Push a config change (interval, thresholds, calibration) to a node", tag="technician")
def push(node_id: int) -> Response | tuple[dict[str, Any], int]:
    body = json_body()
    given: dict[str, Any] = {k: body[k] for k in configs.FORM_KEYS if k in body}
    if not given:
        detail = "send interval_s, send_every, thresholds or low_batt_v"
        return problem(422, "Nothing to change", detail, code="config_empty")
    user = current_user()
    try:
        changes = configs.check_form(given)
        with services().db.session() as db:
            node = access.node_for_write(db, node_id)
            if node is None:
                return problem(404, "Unknown node", code="unknown_node")
            if "thresholds" in changes:  # one channel's pair changes; the others' stay
                old = dict(configs.effective(db, node)["thresholds"] or {})
                changes["thresholds"] = old | changes["thresholds"]
            row = configs.push(db, node, changes, user.id if user else None)
            return _version_json(row), 201
    except configs.ConfigInvalid as exc:
        return invalid(exc)
