"""OpenAPI conformance: schemathesis against the app's own document, signed in as each role.
Bounded here (3 roles, 3 examples per operation); the long run, all 5 roles with more examples, is
``bench/fuzz_run.py --api``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.mobile_api.seeding import serve
from tests.security.conftest import CREDS

ROLES = ["farmer", "officer", "technician", "manager", "admin"]  # bench/fuzz_run.py --api
FAST_ROLES = ["farmer", "officer", "admin"]  # own farm only, every farm read-only, everything
FAST_EXAMPLES = 3


def run_schemathesis(app: Flask, role: str, max_examples: int) -> list[str]:
    import requests
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

    problems: list[str] = []
    with serve(app) as base:
        web = requests.Session()
        r = web.post(base + "/api/v1/auth/login", json=CREDS[role])
        assert r.status_code == 200
        csrf = r.json()["csrf_token"]
        spec = web.get(base + "/api/v1/openapi.json").json()
        schema = schemathesis.openapi.from_dict(spec)
        schema.config.update(base_url=base)
        for op in schema.get_all_operations():
            operation = op.ok()  # type: ignore[union-attr]
            if operation.path.startswith(("/api/v1/auth/logout", "/api/v1/gateway/")):
                continue

            @settings(max_examples=max_examples, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            @given(case=operation.as_strategy())
            def check(case: schemathesis.Case) -> None:
                response = case.call(session=web, headers={"X-CSRF-Token": csrf})
                for chk in (not_a_server_error, status_code_conformance, response_schema_conformance):
                    try:
                        case.validate_response(response, checks=[chk])
                    except BaseExceptionGroup as exc:  # collect, do not stop at the first finding
                        name = getattr(chk, "__name__", str(chk))
                        problems.append(f"{case.method} {case.formatted_path} {response.status_code} {name}: "
                                        f"{str(exc).splitlines()[0][:200]}")  # fmt: skip

            check()
    return problems


@pytest.fixture(scope="module")
def findings(app: Flask) -> Iterator[dict[str, list[str]]]:
    yield {role: run_schemathesis(app, role, max_examples=FAST_EXAMPLES) for role in FAST_ROLES}


@pytest.mark.parametrize("role", FAST_ROLES)
def test_openapi_conformance_no_5xx_and_schema_valid(findings: dict[str, list[str]], role: str) -> None:
    assert not findings[role], findings[role][:20]


def test_ids_beyond_64_bits_answer_404_not_500(app: Flask) -> None:
    from tests.security.test_web import login

    c, _ = login(app, "admin")
    big = str(10**25)
    bad = []
    for r in app.url_map.iter_rules():
        if "<int:" in r.rule and "GET" in (r.methods or set()):
            import re

            url = re.sub(r"<int:\w+>", big, r.rule)
            status = c.get(url).status_code
            if status >= 500:
                bad.append((url, status))
    assert not bad, bad


def test_negative_bodies_are_refused_with_4xx(app: Flask) -> None:
    """Negative mode: bodies that break the declared schema (wrong types, over-long strings, not an
    object) on every write operation with a body must get a 4xx problem, never a 2xx or a 5xx."""
    import requests
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import negative_data_rejection

    problems: list[str] = []
    tried = 0
    with serve(app) as base:
        web = requests.Session()
        csrf = web.post(base + "/api/v1/auth/login", json=CREDS["farmer"]).json()["csrf_token"]
        schema = schemathesis.openapi.from_dict(web.get(base + "/api/v1/openapi.json").json())
        schema.config.update(base_url=base)
        for op in schema.get_all_operations():
            operation = op.ok()  # type: ignore[union-attr]
            skip = operation.path.startswith(("/api/v1/auth/log", "/api/v1/gateway/"))
            if operation.method.upper() == "GET" or skip or not operation.body:
                continue
            tried += 1

            @settings(max_examples=FAST_EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            @given(case=operation.as_strategy(GenerationMode.NEGATIVE))
            def check(case: schemathesis.Case) -> None:
                response = case.call(session=web, headers={"X-CSRF-Token": csrf})
                for chk in (not_a_server_error, negative_data_rejection):
                    try:
                        case.validate_response(response, checks=[chk])
                    except BaseExceptionGroup:
                        problems.append(f"{case.method} {case.formatted_path} {response.status_code} "
                                        f"{chk.__name__}: {str(case.body)[:80]}")  # fmt: skip

            check()
    assert tried >= 10
    assert not problems, problems[:20]
