"""The OpenAPI document is what the server enforces (issue 16): every body field an endpoint
declares is refused with a 400 problem when it has the wrong type, and no string in a body may
exceed ``MAX_STRING`` — on every endpoint, before anything is stored."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from server.validation import MAX_STRING
from tests.security.test_web import login

WRONG: dict[str, Any] = {"string": 12345, "integer": "mười", "number": [1], "boolean": "yes", "array": "x",
                         "object": [1]}  # fmt: skip
SKIP = ("/api/v1/auth/login", "/api/v1/auth/logout")  # sign-in has its own tests; logout ends the session


def _write_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            props = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            props = props.get("schema", {}).get("properties")
            if props and not path.startswith(SKIP):
                out.append((method.upper(), re.sub(r"\{\w+\}", "1", path), props))
    return out


def test_wrong_types_and_huge_strings_are_refused_on_every_endpoint(app: Flask) -> None:
    admin, csrf = login(app, "admin")
    spec = admin.get("/api/v1/openapi.json").get_json()
    operations = _write_operations(spec)
    assert len(operations) >= 10
    wrong = []
    for method, url, props in operations:
        for name, schema in props.items():
            kind = schema["type"][0]
            for value in (WRONG[kind], "x" * (MAX_STRING + 1)):
                r = admin.open(url, method=method, json={name: value}, headers={"X-CSRF-Token": csrf})
                if r.status_code != 400 or r.mimetype != "application/problem+json":
                    wrong.append(f"{method} {url} {name}={str(value)[:12]!r}: {r.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_document_states_the_bounds(app: Flask) -> None:
    admin, _ = login(app, "admin")
    spec = admin.get("/api/v1/openapi.json").get_json()
    diary = spec["paths"]["/api/v1/app/diary"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert diary["properties"]["product_name"] == {"type": ["string", "null"], "maxLength": MAX_STRING}
    assert diary["properties"]["phi_days"]["type"] == ["integer", "null"]
    season = spec["paths"]["/api/v1/app/fields/{field_id}/season-profile"]["put"]["requestBody"]["content"]
    kinds = season["application/json"]["schema"]["properties"]["date_kind"]["enum"]
    assert kinds == ["sown", "transplanted", None]
