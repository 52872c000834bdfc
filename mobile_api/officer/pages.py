"""The officer's pages, Leaflet from node_modules, the map settings, and this app's security headers.

Base-map tiles are off unless ``RUONGSO_TILE_URL`` is set (e.g. a cooperative's own tile server,
``https://tiles.example.org/{z}/{x}/{y}.png``): the map draws the fields on a plain background and
never reaches the internet by default. A configured tile origin is added to the CSP ``img-src``.
An offline tile package can be served by this app itself (``LOCAL_TILES``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, send_from_directory

from mobile_api.officer import access
from mobile_api.shell import send
from server.advisory.disease import vocabulary
from server.errors import problem
from server.farm import review
from server.officer import boundaries
from server.openapi import doc
from server.security import HEADERS
from server.services import services

bp = Blueprint("officer_pages", __name__)
LEAFLET_DIST = Path(__file__).resolve().parents[2] / "node_modules" / "leaflet" / "dist"


# An offline tile package served by this app: the XYZ folder tree (``z/x/y.png``, e.g. unpacked from an
# MBTiles file with ``mb-util``) in ``<data dir>/tiles``; set the tile URL to this prefix plus
# ``{z}/{x}/{y}.png``. docs/officer-technician.md says how to make one.
LOCAL_TILES = "/officer/tiles/"


def tile_settings() -> dict[str, str]:
    extra = getattr(current_app.config["RUONGSO_SETTINGS"], "extra", {}) or {}
    url = extra.get("tile_url") or os.environ.get("RUONGSO_TILE_URL", "")
    attribution = extra.get("tile_attribution") or os.environ.get("RUONGSO_TILE_ATTRIBUTION", "")
    ok = url.startswith(("https://", "http://", LOCAL_TILES))
    return {"url": url if ok else "", "attribution": attribution}


def review_sample_rate() -> float:
    """The share of confident answers sampled for review (``server.farm.review.sample_rate``)."""
    extra = getattr(current_app.config["RUONGSO_SETTINGS"], "extra", {}) or {}
    return review.sample_rate(extra.get("review_sample_rate") or os.environ.get("RUONGSO_REVIEW_SAMPLE_RATE"))


def add_headers(response: Response) -> Response:
    """The farmer app's strict headers, with the tile server (if any) allowed as an image source."""
    origin = ""
    url = tile_settings()["url"]
    if url.startswith(("https://", "http://")):  # the local package is 'self' already
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


@bp.get("/officer/tiles/<int:z>/<int:x>/<int:y>.png")
def local_tile(z: int, x: int, y: int) -> Response:
    """A tile of the offline package, if the deployment installed one (404 where it has none)."""
    folder = Path(current_app.config["RUONGSO_SETTINGS"].data_dir) / "tiles" / str(z) / str(x)
    if not (folder / f"{y}.png").is_file():
        return problem(404, "No such tile")
    return send_from_directory(folder, f"{y}.png", max_age=86400)


@bp.get("/vendor/leaflet/<path:name>")
def leaflet(name: str) -> Response:
    if not (LEAFLET_DIST / "leaflet.js").is_file():
        return problem(404, "Leaflet is not installed", "Run 'npm ci' in the repository root (package.json).")
    if not (LEAFLET_DIST / name).is_file():
        return problem(404, "Not found")
    return send_from_directory(LEAFLET_DIST, name, max_age=86400)


@bp.get("/api/v1/officer/settings")
@doc(
    "Map settings: tile server (if any), the diseases an area alert can name, the review sample rate",
    tag="officer",
)
def settings() -> dict[str, Any]:
    return {
        "tiles": tile_settings(),
        "diseases": sorted(vocabulary.diseases()),
        "disease_names": {k: d.names for k, d in vocabulary.diseases().items()},
        "review_sample_rate": review_sample_rate(),
    }


@bp.get("/api/v1/officer/boundaries")
@access.officer_only
@doc(
    "Commune boundaries the deployment imported (farm officer import-boundaries), for the offline map",
    tag="officer",
)
def commune_boundaries() -> dict[str, Any]:
    """The installed layer with each commune marked ``mine`` when the officer covers it (by code,
    else by name); ``installed: false`` when the deployment has not imported one."""
    layer = boundaries.installed(Path(current_app.config["RUONGSO_SETTINGS"].data_dir))
    if layer is None:
        return {"installed": False, "type": "FeatureCollection", "features": []}
    with services().db.session() as db:
        s = access.scope(db)
        codes = {a.code for a in s.area_rows if a.code}
        names = {a.name.casefold() for a in s.area_rows}
    features = [
        f
        | {
            "properties": f["properties"]
            | {
                "mine": s.area_ids is None
                or f["properties"].get("code") in codes
                or str(f["properties"]["name"]).casefold() in names
            }
        }
        for f in layer["features"]
    ]
    return {
        "installed": True,
        "type": "FeatureCollection",
        "source": layer["source"],
        "licence": layer["licence"],
        "features": features,
    }
