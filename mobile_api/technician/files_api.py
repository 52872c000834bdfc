"""Files a technician takes to the field: the node's printable QR label (SVG) and its signed
``config.json`` (no secret in it). The node's key is never a download (issue 18): the browser writes
it straight to the device over Web Serial (``device_api``)."""

from __future__ import annotations

import io
import json

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response
from sqlalchemy import select

from mobile_api.technician import access
from server.errors import problem
from server.openapi import doc
from server.services import services
from server.technician.models import NodeConfigVersion

bp = Blueprint("tech_files", __name__)


@bp.get("/api/v1/tech/nodes/<int:node_id>/label.svg")
@access.tech_only
@doc("Printable QR label of a node (SVG)", tag="technician", produces="image/svg+xml")
def label(node_id: int) -> Response:
    with services().db.session() as db:
        node = access.node_for_read(db, node_id)
        if node is None:
            return problem(404, "Unknown node", code="unknown_node")
        text = json.dumps({"rs_node": node.id, "kind": node.kind}, separators=(",", ":"))
    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return Response(
        buf.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"}
    )


@bp.get("/api/v1/tech/nodes/<int:node_id>/config.json")
@access.tech_only
@doc("The node's signed config.json for flashing", tag="technician")
def blob(node_id: int) -> Response:
    """The latest signed config blob, as ``farm node deploy`` expects it in --config-dir."""
    with services().db.session() as db:
        if access.node_for_write(db, node_id) is None:
            return problem(404, "Unknown node", code="unknown_node")
        row = db.scalar(
            select(NodeConfigVersion)
            .where(NodeConfigVersion.node_id == node_id)
            .order_by(NodeConfigVersion.version.desc())
        )
        if row is None or row.blob is None:
            return problem(404, "No signed config yet", code="no_signed_config")
        data = row.blob
    return Response(
        data,
        mimetype="application/octet-stream",
        headers={"Content-Disposition": "attachment; filename=config.json", "Cache-Control": "no-store"},
    )
