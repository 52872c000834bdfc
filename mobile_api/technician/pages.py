"""The technician's phone pages under /tech/, with a service worker scoped to /tech/ (offline)."""

from __future__ import annotations

from flask import Blueprint, Response

from mobile_api.shell import send

bp = Blueprint("tech_pages", __name__)


@bp.get("/tech/")
def index() -> Response:
    return send("tech/index.html", 0)


@bp.get("/tech/sw.js")
def service_worker() -> Response:
    """Served from /tech/ so its scope is /tech/ (and the /api/v1/tech/ calls it caches)."""
    return send("tech/sw.js", 0, {"Service-Worker-Allowed": "/"})
