"""Firmware updates for technicians: upload a bundle, start a staged rollout, watch it, stop it.

The rules (what a bundle must be, when a rollout widens or stops) are ``server.technician.firmware``;
this module checks who may touch which node and words refusals as codes the app translates.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import select

from mobile_api.technician import access
from server.auth import Role, current_user
from server.auth.writes import writes
from server.errors import problem
from server.openapi import doc
from server.services import services
from server.technician import firmware, gateway_health
from server.technician.models import FirmwareBundle, FirmwareRollout
from server.validation import json_body

bp = Blueprint("tech_firmware", __name__)


def _user_id() -> int | None:
    user = current_user()
    return user.id if user is not None else None


def _invalid(exc: firmware.FirmwareInvalid) -> Response:
    return problem(422, "Invalid firmware request", str(exc), code=exc.code, params=exc.params)


def _bundle_json(b: FirmwareBundle) -> dict[str, Any]:
    return {
        "id": b.id,
        "version": b.version,
        "board": b.board,
        "min_batt_v": b.min_batt_v,
        "size": b.size,
        "chunks": b.chunks,
        "sha256": b.sha256,
        "note": b.note,
        "created_at": b.created_at,
    }


@bp.get("/api/v1/tech/firmware")
@access.tech_only
@doc("Bundles, rollouts with each node's progress, and what every node runs", tag="technician")
def overview() -> dict[str, Any]:
    now = int(time.time())
    with services().db.session() as db:
        nodes = access.nodes(db)
        visible = {n.id for n in nodes}
        gateways = {n.gateway_id for n in nodes if n.gateway_id is not None}
        reports = gateway_health.node_reports(gateways, now)
        newest_first = select(FirmwareBundle).order_by(FirmwareBundle.version.desc())
        bundles = {b.id: b for b in db.scalars(newest_first)}
        rollouts = []
        for r in db.scalars(select(FirmwareRollout).order_by(FirmwareRollout.id.desc())):
            if not set(r.nodes) & visible:
                continue
            outcomes = firmware.advance(r, bundles[r.bundle_id].version, reports)
            rollouts.append(
                {
                    "id": r.id,
                    "version": bundles[r.bundle_id].version,
                    "state": r.state,
                    "reason": r.reason,
                    "created_at": r.created_at,
                    "nodes": [
                        {
                            "id": n,
                            "pilot": n in r.pilot,
                            "outcome": outcomes[n],
                            "fw_version": (reports.get(n) or {}).get("fw_version"),
                            "fw_state": (reports.get(n) or {}).get("fw_state"),
                            "progress": (reports.get(n) or {}).get("fw_progress"),
                        }
                        for n in r.nodes
                        if n in visible
                    ],
                }
            )
        body = {
            "bundles": [_bundle_json(b) for b in bundles.values()],
            "rollouts": rollouts,
            "nodes": [
                {
                    "id": n.id,
                    "field": n.field.name if n.field else None,
                    "fw_version": (reports.get(n.id) or {}).get("fw_version"),
                    "fw_state": (reports.get(n.id) or {}).get("fw_state"),
                }
                for n in nodes
            ],
        }
    return body


@bp.post("/api/v1/tech/firmware/bundles")
@writes(Role.TECHNICIAN, Role.ADMIN)
@access.tech_only
@doc("Upload a bundle built by 'farm node bundle' (multipart: bundle, note)", tag="technician")
def upload() -> Response | tuple[dict[str, Any], int]:
    f = request.files.get("bundle")
    if f is None:
        return problem(
            400, "bundle file required", "Send the file as multipart field 'bundle'.", code="fw_bundle_format"
        )
    data = f.read(firmware.MAX_BUNDLE_BYTES + 1)
    with services().db.session() as db:
        try:
            row = firmware.add_bundle(db, data, _user_id(), str(request.form.get("note") or ""))
        except firmware.FirmwareInvalid as exc:
            return _invalid(exc)
        return _bundle_json(row), 201


def _node_ids(value: object) -> list[int] | None:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return None
    return sorted(set(value))


@bp.post("/api/v1/tech/firmware/rollouts")
@writes(Role.TECHNICIAN, Role.ADMIN)
@access.tech_only
@doc("Start a staged rollout (JSON: version, pilot node ids, node ids)", tag="technician")
def start_rollout() -> Response | tuple[dict[str, Any], int]:
    body = json_body()
    pilot, nodes = _node_ids(body.get("pilot")), _node_ids(body.get("nodes", []))
    if pilot is None or nodes is None or not isinstance(body.get("version"), int):
        return problem(400, "version, pilot and nodes required", code="fw_rollout_body")
    with services().db.session() as db:
        bundle = db.scalar(select(FirmwareBundle).where(FirmwareBundle.version == body["version"]))
        if bundle is None:
            return problem(404, "Unknown bundle version", code="fw_unknown_bundle")
        for n in set(pilot) | set(nodes):
            if access.node_for_write(db, n) is None:
                return problem(404, "Unknown node", code="unknown_node")
        try:
            row = firmware.start(db, bundle, pilot, nodes, _user_id())
        except firmware.FirmwareInvalid as exc:
            return _invalid(exc)
        return {"id": row.id, "state": row.state, "pilot": row.pilot, "nodes": row.nodes}, 201


@bp.post("/api/v1/tech/firmware/rollouts/<int:rollout_id>/stop")
@writes(Role.TECHNICIAN, Role.ADMIN)
@access.tech_only
@doc("Stop a rollout: nothing more is offered to its nodes", tag="technician")
def stop_rollout(rollout_id: int) -> Response | dict[str, Any]:
    with services().db.session() as db:
        row = db.get(FirmwareRollout, rollout_id)
        if row is None or not all(access.node_for_write(db, n) is not None for n in row.nodes):
            return problem(404, "Unknown rollout", code="fw_unknown_rollout")
        firmware.stop(row, f"stopped by technician {_user_id()}")
        return {"id": row.id, "state": row.state, "reason": row.reason}
