"""ETag / If-None-Match on every successful JSON read: one hook instead of per-view code.

The tag is a hash of the body, so it is right by construction; responses depend on who asks,
hence ``Cache-Control: private`` and ``Vary: Cookie, Authorization``.
"""

from __future__ import annotations

from flask import Flask, Response, request


def _conditional(response: Response) -> Response:
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or not request.path.startswith("/api/")
        or response.is_streamed
    ):
        return response
    response.add_etag()
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(("Cookie", "Authorization"))
    response.make_conditional(request)
    return response


def install(app: Flask) -> None:
    app.after_request(_conditional)
