"""History again under any calibration version: the stored raw readings (``soil_raw``) converted with
that version's coefficients, so a calibration change never loses the past."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import select

from mobile_api.technician import access
from server.errors import problem
from server.openapi import doc
from server.pagination import id_arg
from server.services import services
from server.technician import calibration
from server.technician.models import ProbeCalibration

bp = Blueprint("tech_recompute", __name__)
MAX_HOURS = 24 * 90


@bp.get("/api/v1/tech/nodes/<int:node_id>/recompute")
@access.tech_only
@doc(
    "Soil moisture history recomputed from raw readings under a calibration version",
    tag="technician",
    query={"version": "integer: calibration version"},
)
def recompute(node_id: int) -> Response | dict[str, Any]:
    """The stored raw history converted with calibration ``version`` (default: the latest)."""
    hours = min(max(request.args.get("hours", 168, type=int) or 168, 1), MAX_HOURS)
    svc = services()
    with svc.db.session() as db:
        if access.node_for_read(db, node_id) is None:
            return problem(404, "Unknown node", code="unknown_node")
        q = select(ProbeCalibration).where(ProbeCalibration.node_id == node_id)
        version = id_arg("version")
        q = (
            q.where(ProbeCalibration.version == version)
            if version
            else q.order_by(ProbeCalibration.version.desc())
        )
        cal = db.scalars(q).first()
        if cal is None:
            return problem(404, "No such calibration", code="no_calibration_version")
        coeffs, used = dict(cal.coefficients), cal.version
    end = int(time.time())
    raw = [(p.time_s, p.value) for p in svc.store.series(node_id, "soil_raw", end - hours * 3600, end)]
    points = calibration.recompute(raw, coeffs)
    return {
        "node_id": node_id,
        "version": used,
        "points": [{"t": t, "raw_mv": r, "vwc": v} for (t, r), (_, v) in zip(raw, points, strict=True)],
    }
