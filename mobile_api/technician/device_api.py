"""What the technician's browser writes to a node over Web Serial (issue 18): the node firmware, its
signed config and its key, so a node is finished from the browser without a laptop or a file.

The node key travels only in this answer to a POST (no-store, never an attachment, never cached by the
/tech/ service worker, which keeps GETs only) and from the page's memory straight to the device.
The firmware files are the ones ``farm node deploy`` copies (``firmware.tools.deploy``), so the two
ways of finishing a node cannot drift apart. esptool-js, for putting MicroPython itself on a blank
board, is served from ``node_modules`` (pinned in package.json) like Leaflet.

The cooperative's firmware-update key (``fw_key`` in ``secrets.json``, what ``farm node config``
writes from ``$FARM_FW_KEY``) is not the server's to give: the server never holds it
(docs/firmware-updates.md), so the technician types it on the page, like the Wi-Fi password, and it
goes from the page's memory to the device. This answer carries ``fw_key_check`` instead: the newest
bundle's signed manifest, against which the page checks the typed key before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, jsonify, send_from_directory
from sqlalchemy import select

from firmware.tools import deploy
from mobile_api.technician import access
from server.auth.roles import Role
from server.auth.writes import writes
from server.errors import problem
from server.openapi import doc
from server.services import services
from server.technician import firmware
from server.technician.models import NodeConfigVersion

bp = Blueprint("tech_device", __name__)
ESPTOOL_DIST = Path(__file__).resolve().parents[2] / "node_modules" / "esptool-js"


@bp.post("/api/v1/tech/nodes/<int:node_id>/device-files")
@writes(Role.TECHNICIAN, Role.ADMIN, target="node")
@access.tech_only
@doc("The files to write to a node over Web Serial: firmware, signed config and key", tag="technician")
def device_files(node_id: int) -> Response:
    with services().db.session() as db:
        node = access.node_for_write(db, node_id)
        if node is None:
            return problem(404, "Unknown node", code="unknown_node")
        row = db.scalar(
            select(NodeConfigVersion)
            .where(NodeConfigVersion.node_id == node_id)
            .order_by(NodeConfigVersion.version.desc())
        )
        if row is None or row.blob is None:
            return problem(404, "No signed config yet", code="no_signed_config")
        blob, key = row.blob, node.key_hex
        fw_key_check = firmware.key_check(db)
    # Wi-Fi and broker passwords are typed on the page and added there: the server never sees them.
    secrets = {"node_id": node_id, "node_key": key, "wifi_psk": "", "mqtt_password": ""}
    files: list[dict[str, Any]] = [
        {"path": dest, "text": src.read_text(encoding="utf-8")} for src, dest in deploy.firmware_files("node")
    ]
    files += [{"path": "config.json", "text": blob}, {"path": "secrets.json", "text": json.dumps(secrets)}]
    answer = {"node_id": node_id, "files": files, "flash_offsets": deploy.FLASH_OFFSETS}
    response = jsonify(answer | {"fw_key_check": fw_key_check})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/vendor/esptool-js/<path:name>")
def esptool_js(name: str) -> Response:
    if not (ESPTOOL_DIST / "bundle.js").is_file():
        return problem(
            404, "esptool-js is not installed", "Run 'npm ci' in the repository root (package.json)."
        )
    if name != "bundle.js":
        return problem(404, "Not found")
    return send_from_directory(ESPTOOL_DIST, name, max_age=86400, mimetype="text/javascript")
