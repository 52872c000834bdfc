"""OpenAPI 3.1 document generated from the app's own routes and their ``@doc`` metadata.

Small on purpose: every ``/api/`` rule becomes an operation; ``@doc`` adds a summary, a tag, a
JSON body sketch and query parameters. Endpoints without ``@doc`` still appear (undocumented),
so the document can never silently miss a route.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask

from server.validation import MAX_STRING, declared_kind

F = TypeVar("F", bound=Callable[..., Any])
_TYPES = {"int": "integer", "float": "number", "string": "string", "path": "string"}
_PROBLEM = {"$ref": "#/components/responses/Problem"}


def doc(
    summary: str,
    *,
    tag: str = "api",
    body: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    produces: str = "application/json",
) -> Callable[[F], F]:
    """Attach OpenAPI metadata to a view; ``query`` maps a parameter to 'type: description'."""

    def decorate(view: F) -> F:
        view._openapi = {  # type: ignore[attr-defined]
            "summary": summary,
            "tag": tag,
            "body": body,
            "query": query or {},
            "produces": produces,
        }
        return view

    return decorate


def _operation(rule: Any, view: Any, method: str) -> dict[str, Any]:
    meta = getattr(view, "_openapi", None) or {"summary": rule.endpoint, "tag": "undocumented", "query": {}}
    params: list[dict[str, Any]] = [
        {"name": arg, "in": "path", "required": True, "schema": {"type": _TYPES.get(conv, "string")}}
        for conv, arg in re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule)
        if conv is not None or arg
    ]
    for name, text in meta["query"].items():
        schema = _typed(text, nullable=False)
        description = schema.pop("description", "")
        params.append({"name": name, "in": "query", "schema": schema, "description": description})
    op: dict[str, Any] = {
        "operationId": f"{rule.endpoint}.{method.lower()}",
        "summary": meta["summary"],
        "tags": [meta["tag"]],
        "parameters": params,
        "responses": {
            "200": {"description": "OK", "content": {meta.get("produces", "application/json"): {}}},
            "304": {"description": "Not modified (If-None-Match)"},
            "default": _PROBLEM,
        },
    }
    if meta.get("body"):
        props = {k: _typed(v, nullable=True) for k, v in meta["body"].items()}
        op["requestBody"] = {
            "content": {"application/json": {"schema": {"type": "object", "properties": props}}}
        }
    if getattr(view, "_public", False):
        op["security"] = []
    return op


def _typed(text: str, *, nullable: bool) -> dict[str, Any]:
    """A ``@doc`` entry (``"type: description"``, or choices ``"a | b"``) as JSON Schema, as
    ``server.validation`` enforces it for bodies: null allowed there (an absent value), strings
    bounded by ``MAX_STRING``."""
    head, _, description = text.partition(":")
    kind = declared_kind(text)
    schema: dict[str, Any] = {"type": [kind, "null"] if nullable else kind}
    if kind == "string" and nullable:
        schema["maxLength"] = MAX_STRING
    if kind == "string" and "|" in head:
        schema["enum"] = [c.strip() for c in head.split("|")] + ([None] if nullable else [])
    return schema | ({"description": description.strip()} if description.strip() else {})


def build_spec(app: Flask) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/"):
            continue
        view = app.view_functions[rule.endpoint]
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, method)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Ruộng Số API", "version": "1"},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "rs_session"},
                "token": {"type": "http", "scheme": "bearer"},
            },
            "responses": {
                "Problem": {
                    "description": "RFC 9457 problem details",
                    "content": {"application/problem+json": {"schema": {"type": "object"}}},
                }
            },
        },
        "security": [{"session": []}, {"token": []}],
    }
