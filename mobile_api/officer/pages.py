"""The officer's pages, Leaflet from node_modules, the map settings, and this app's security headers.

Base-map tiles are off unless ``RUONGSO_TILE_URL`` is set (e.g. a cooperative's own tile server,
``https://tiles.example.org/{z}/{x}/{y}.png``): the map draws the fields on a plain background and
never reaches the internet by default. A configured tile origin is added to the CSP ``img-src``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, send_from_directory

from mobile_api.shell import send
from server.advisory.disease import vocabulary
from server.errors import problem
from server.openapi import doc
from server.security import HEADERS

bp = Blueprint("officer_pages", __name__)
LEAFLET_DIST = Path(__file__).resolve().parents[2] / "node_modules" / "leaflet" / "dist"


def tile_settings() -> dict[str, str]:
    extra = getattr(current_app.config["RUONGSO_SETTINGS"], "extra", {}) or {}
    url = extra.get("tile_url") or os.environ.get("RUONGSO_TILE_URL", "")
    attribution = extra.get("tile_attribution") or os.environ.get("RUONGSO_TILE_ATTRIBUTION", "")
    return {"url": url if url.startswith(("https://", "http://")) else "", "attribution": attribution}


def add_headers(response: Response) -> Response:
    """The farmer app's strict headers, with the tile server (if any) allowed as an image source."""
    origin = ""
    url = tile_settings()["url"]
    if url:
        parts = urlsplit(url.replace("{s}", "a"))
        origin = f" {parts.scheme}://{parts.netloc}"
    for name, value in HEADERS.items():
        if name == "Content-Security-Policy":
            value = value.replace("img-src 'self' data: blob:", "img-src 'self' data: blob:" + origin)
        response.headers.setdefault(name, value)
    if response.mimetype in ("application/json", "application/problem+json", "text/csv"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.get("/officer/")
def index() -> Response:
    return send("officer/index.html", 0)


@bp.get("/vendor/leaflet/<path:name>")
def leaflet(name: str) -> Response:
    if not (LEAFLET_DIST / "leaflet.js").is_file():
        return problem(404, "Leaflet is not installed", "Run 'npm ci' in the repository root (package.json).")
    if not (LEAFLET_DIST / name).is_file():
        return problem(404, "Not found")
    return send_from_directory(LEAFLET_DIST, name, max_age=86400)


@bp.get("/api/v1/officer/settings")
@doc("Map settings: tile server (if any) and the diseases an area alert can name", tag="officer")
def settings() -> dict[str, Any]:
    return {"tiles": tile_settings(), "diseases": sorted(vocabulary.diseases())}
