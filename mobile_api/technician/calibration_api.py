"""Guided probe calibration: read the raw value now, save dry/wet (+ gravimetric) points as a new
calibration version, push it to the node, and recompute the history with any version."""

from __future__ import annotations

import math
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
from server.technician import calibration, configs, readings
from server.technician.models import ProbeCalibration
from server.validation import json_body

bp = Blueprint("tech_calibration", __name__)
MAX_HOURS = 24 * 90


def cal_json(c: ProbeCalibration) -> dict[str, Any]:
    return {
        "version": c.version,
        "model": c.model,
        "coefficients": c.coefficients,
        "points": c.points,
        "note": c.note,
        "created_at": c.created_at,
    }


@bp.get("/api/v1/tech/nodes/<int:node_id>/raw")
@access.tech_only
@doc("The node's latest raw soil-probe reading and when it was sent (for calibration)", tag="technician")
def raw_now(node_id: int) -> Response | dict[str, Any]:
    """The newest ``soil_raw`` the node sent, with its time and age, and when the node was last heard
    at all: "no raw value" then says whether the node is silent or does not send the raw channel."""
    svc, now = services(), int(time.time())
    with svc.db.session() as db:
        if access.node_for_read(db, node_id) is None:
            return problem(404, "Unknown node", code="unknown_node")
    raw = readings.last_value(svc.store, node_id, "soil_raw", now)
    vwc = readings.last_value(svc.store, node_id, "soil_vwc", now)
    heard = svc.store.latest([node_id]).get(node_id)
    return {
        "node_id": node_id,
        "raw_mv": raw.value if raw else None,
        "time": raw.time_s if raw else None,
        "age_s": now - raw.time_s if raw else None,
        "soil_vwc": vwc.value if vwc and raw and vwc.time_s == raw.time_s else None,
        "last_seen": heard.time_s if heard else None,
    }


def _points(body: dict[str, Any]) -> list[calibration.Point]:
    try:
        pts = [
            calibration.Point(float(body["dry_mv"]), float(body.get("dry_vwc") or 0.0), "dry"),
            calibration.Point(
                float(body["wet_mv"]), float(body.get("wet_vwc") or calibration.DEFAULT_WET_VWC), "wet"
            ),
        ]
        for p in body.get("points") or []:
            if "wet_g" in p:
                v = calibration.gravimetric_vwc(
                    float(p["wet_g"]),
                    float(p["dry_g"]),
                    float(p["bulk_density"]),
                    float(p.get("tare_g") or 0.0),
                )
                pts.append(calibration.Point(float(p["raw_mv"]), v, "gravimetric"))
            else:
                pts.append(calibration.Point(float(p["raw_mv"]), float(p["vwc"]), "manual"))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, calibration.CalibrationError):
            raise
        raise calibration.CalibrationError(
            "dry_mv and wet_mv are required numbers; points need raw_mv", "cal_numbers"
        ) from exc
    if not all(math.isfinite(p.raw_mv) and math.isfinite(p.vwc) for p in pts):  # "inf" parses
        raise calibration.CalibrationError("calibration points must be finite numbers", "cal_numbers")
    return pts


@bp.post("/api/v1/tech/nodes/<int:node_id>/calibrations")
@writes(Role.TECHNICIAN, Role.ADMIN, target="node")
@access.tech_only
@doc("Save a new calibration version for a soil-moisture probe", tag="technician")
def create(node_id: int) -> Response | tuple[dict[str, Any], int]:
    body = json_body()
    try:
        pts = _points(body)
        coeffs = calibration.fit(pts)
    except calibration.CalibrationError as exc:
        return problem(422, "Calibration refused", str(exc), code=exc.code, params=exc.params)
    user = current_user()
    try:
        with services().db.session() as db:
            node = access.node_for_write(db, node_id)
            if node is None:
                return problem(404, "Unknown node", code="unknown_node")
            last = (
                db.scalar(
                    select(ProbeCalibration.version)
                    .where(ProbeCalibration.node_id == node_id)
                    .order_by(ProbeCalibration.version.desc())
                )
                or 0
            )
            row = ProbeCalibration(
                node_id=node_id,
                version=last + 1,
                sensor="soil_vwc",
                model=coeffs["model"],
                coefficients=coeffs,
                points=[p.__dict__ for p in pts],
                note=str(body.get("note") or "")[:500],
                created_by=user.id if user else None,
                created_at=int(time.time()),
            )
            db.add(row)
            node.calibration = dict(node.calibration or {}) | {"soil_vwc": f"v{row.version}"}
            cfg = configs.push(db, node, {"soil_cal": coeffs}, user.id if user else None)
            return cal_json(row) | {"config_version": cfg.version}, 201
    except configs.ConfigInvalid as exc:
        return problem(422, "Calibration refused by the node config schema", str(exc), code=exc.code,
                       params=exc.params)  # fmt: skip


@bp.get("/api/v1/tech/nodes/<int:node_id>/calibrations")
@access.tech_only
@doc("Calibration versions of a node", tag="technician")
def history(node_id: int) -> Response | dict[str, Any]:
    with services().db.session() as db:
        if access.node_for_read(db, node_id) is None:
            return problem(404, "Unknown node", code="unknown_node")
        rows = db.scalars(
            select(ProbeCalibration)
            .where(ProbeCalibration.node_id == node_id)
            .order_by(ProbeCalibration.version.desc())
        )
        return {"node_id": node_id, "calibrations": [cal_json(c) for c in rows]}
