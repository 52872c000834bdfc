"""The OpenAPI document and a small, self-hosted API explorer (no CDN, works offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, send_from_directory

from server.auth import public
from server.openapi import build_spec, doc

bp = Blueprint("api_docs", __name__)
STATIC = Path(__file__).parent / "static"


@bp.get("/api/v1/openapi.json")
@public
@doc("This document", tag="meta")
def openapi() -> dict[str, Any]:
    return build_spec(current_app)


@bp.get("/api/docs")
@public
def explorer() -> Response:
    return send_from_directory(STATIC, "explorer.html", max_age=0)


@bp.get("/api-explorer/<any(explorer.js, explorer.css):name>")
def explorer_asset(name: str) -> Response:
    """Script and style as files, so the explorer runs under the same no-inline-script CSP."""
    return send_from_directory(STATIC, name, max_age=300)
