"""The installable web app's shell: page, modules, styles, service worker and manifest.

Text files are served gzip-compressed when the phone accepts it (compressed once, kept in memory)
with an ETag, so a revisit on a weak signal costs a 304 or nothing (the service worker).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from pathlib import Path

from flask import Blueprint, Response, request
from werkzeug.security import safe_join

from mobile_api import catalogues
from server.errors import problem

STATIC = Path(__file__).parent / "static"
TEXT_TYPES = (
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "application/manifest+json",
)
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")
_cache: dict[tuple[str, float], tuple[bytes, bytes, str]] = {}

bp = Blueprint("shell", __name__)


def send(name: str, max_age: int, extra: dict[str, str] | None = None) -> Response:
    path = safe_join(str(STATIC), name)
    if path is None or not Path(path).is_file():
        return problem(404, "Not found")
    mtime = Path(path).stat().st_mtime
    served = catalogues.match(name)
    entry = _cache.get((path, mtime))
    if entry is None:
        raw = catalogues.catalogue_bytes(served[1], served[0]) if served else Path(path).read_bytes()
        entry = (raw, gzip.compress(raw, 9, mtime=0), '"' + hashlib.sha256(raw).hexdigest()[:20] + '"')
        _cache[(path, mtime)] = entry
    raw, packed, etag = entry
    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={max_age}" if max_age else "no-cache",
        "Vary": "Accept-Encoding",
    } | (extra or {})
    if request.headers.get("If-None-Match") == etag:
        return Response(status=304, headers=headers)
    text = mime.startswith(TEXT_TYPES)
    if text and "gzip" in request.headers.get("Accept-Encoding", ""):
        return Response(packed, mimetype=mime, headers=headers | {"Content-Encoding": "gzip"})
    return Response(raw, mimetype=mime, headers=headers)


@bp.get("/")
@bp.get("/app/")
def index() -> Response:
    return send("index.html", 0)


@bp.get("/sw.js")
def service_worker() -> Response:
    return send("sw.js", 0, {"Service-Worker-Allowed": "/"})


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    return send("manifest.webmanifest", 3600)


@bp.get("/favicon.ico")
def favicon() -> Response:
    return send("icon-192.png", 86400)


@bp.get("/static/<path:name>")
def static(name: str) -> Response:
    return send(name, 0 if name.endswith((".js", ".css", ".json")) else 86400)
