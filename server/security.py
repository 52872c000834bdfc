"""Security headers on every response of the app: strict CSP (no inline script or style, no
third-party origins), no sniffing, no framing, camera and location only for this origin, HSTS on
HTTPS; and no server version banner."""

from __future__ import annotations

from flask import Response, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(self), geolocation=(self), microphone=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


# One year, subdomains included: the deployment serves the apps and the public lot pages over HTTPS
# only (RFC 6797 §6.1; one year is the minimum browsers' preload lists accept). Sent only on HTTPS,
# where it means something (a browser ignores it over HTTP, §8.1); behind nginx, ``ProxyFix``
# (``RUONGSO_PROXY_HOPS``) makes ``request.is_secure`` see the edge's scheme.
HSTS = "max-age=31536000; includeSubDomains"
SERVER_NAME = "ruongso"


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if response.mimetype == "application/json" or response.mimetype == "application/problem+json":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def hide_server_banner() -> None:
    """Answer ``Server: ruongso`` instead of ``Werkzeug/<version> Python/<version>``.

    ``farm demo`` and ``farm server run`` serve through werkzeug's development server, which
    announced exact versions in every response: a banner that only helps someone pick an exploit.
    Both build werkzeug's default request handler, so its class is the one place to say it.
    (In production nginx answers with ``server_tokens off``: deploy/nginx/ruongso.conf.)"""
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.version_string = lambda self: SERVER_NAME  # type: ignore[method-assign]
