"""RFC 9457 problem details: the one error shape every endpoint returns."""

from __future__ import annotations

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException


def problem(status: int, title: str, detail: str | None = None, **extra: object) -> Response:
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        response = problem(exc.code or 500, exc.name, exc.description)
        for name, value in exc.get_headers():  # e.g. ``Allow`` on 405 (RFC 9110 §15.5.6 requires it)
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    register_bad_query(app)

    from server.advisory.kc import UnknownCrop

    @app.errorhandler(UnknownCrop)
    def _unknown_crop(exc: UnknownCrop) -> Response:  # raised inside a transaction: nothing is stored
        return problem(400, "Unknown crop", str(exc.args[0]))


def register_bad_query(app: Flask) -> None:
    from server.pagination import BadQuery
    from server.validation import BadRequestBody

    @app.errorhandler(BadQuery)
    def _bad_query(exc: BadQuery) -> Response:
        return problem(400, "Invalid query parameter", str(exc))

    @app.errorhandler(BadRequestBody)
    def _bad_body(exc: BadRequestBody) -> Response:  # raised before anything is written
        return problem(400, "Invalid request body", str(exc))
