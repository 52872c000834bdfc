"""Request validation every handler shares: JSON bodies that are objects, finite bounded numbers.

Handlers used to read ``request.get_json(silent=True) or {}`` and convert fields with ``int()`` and
``float()`` one by one. That let a body of ``[1]`` or ``"text"`` reach ``body.get`` (500), let
``1e999``, ``NaN`` and the strings ``"inf"`` / ``"nan"`` be stored (and then served as ``Infinity``,
which browsers cannot parse), and let integers beyond 64 bits reach the database (500). Here is
the one place that refuses them, as a 400 problem (``BadRequestBody``, registered in
``server.errors``), so no endpoint has to remember each case.

The body fields an endpoint declares in its OpenAPI metadata (``@doc(body={...})``,
``server.openapi``) are checked here against their declared types for every request, so the
published document and what the server accepts are one statement; every string in a body is
bounded (``MAX_STRING``).
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import current_app, request

INT64 = 2**63 - 1
MAX_BODY_DEPTH = 64  # deeper nesting is no request our apps send, and costs recursion
# Characters in any one string of a JSON body. The longest free text the apps send (a diary note,
# an officer's alert, 1,000 characters) fits ten times; a 60 MB "note" within the body limit does not.
MAX_STRING = 10_000


class BadRequestBody(Exception):
    """A request body (or one of its values) is malformed; answered as a 400 problem.

    Not a ``ValueError``: handlers that turn their own ``ValueError`` into a 422 must not swallow it."""


def _no_constant(name: str) -> Any:
    raise BadRequestBody(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses as inf
        raise BadRequestBody(f"number {text[:40]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text) > 20:  # refuse before int() does quadratic work on a huge literal
        raise BadRequestBody("integer out of range")
    value = int(text)
    if abs(value) > INT64:
        raise BadRequestBody(f"integer {text} does not fit in 64 bits")
    return value


def loads_strict(raw: bytes | str) -> Any:
    """JSON with finite numbers and 64-bit integers only; ``BadRequestBody`` otherwise."""
    try:
        return json.loads(raw, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_bounded_int)
    except BadRequestBody:
        raise
    except (ValueError, RecursionError) as exc:  # includes JSONDecodeError and UnicodeDecodeError
        raise BadRequestBody("body is not valid JSON") from exc


def json_body() -> dict[str, Any]:
    """The request's JSON object; ``{}`` when no body was sent (as handlers always assumed).

    A body that is not declared JSON, does not parse, is not an object, or holds a non-finite or
    oversized number raises ``BadRequestBody``, so it is a 400 on every endpoint instead of a
    500 or a silently empty request."""
    if request.mimetype == "multipart/form-data":
        return {}  # an upload: the handler reads ``request.form``
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if not request.is_json:  # a garbled or mislabelled body was read as ``{}`` and answered 200
        raise BadRequestBody("send the body as JSON with Content-Type: application/json")
    body = loads_strict(raw)
    if not isinstance(body, dict):
        raise BadRequestBody("body must be a JSON object")
    _bounded_strings(body, 0)
    _check_declared(body)
    return body


def _bounded_strings(value: Any, depth: int) -> None:
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise BadRequestBody(f"a text of {len(value)} characters; at most {MAX_STRING}")
    elif depth < MAX_BODY_DEPTH and isinstance(value, dict):
        for key, item in value.items():
            _bounded_strings(key, depth + 1)
            _bounded_strings(item, depth + 1)
    elif depth < MAX_BODY_DEPTH and isinstance(value, list):
        for item in value:
            _bounded_strings(item, depth + 1)


def declared_kind(text: str) -> str:
    """The JSON type of a ``@doc`` body entry (``"integer: days"`` → ``integer``); ``string`` for
    a list of choices (``"sown | transplanted"``)."""
    kind = text.partition(":")[0].strip()
    return kind if kind in KINDS else "string"


KINDS = {"string": (str,), "boolean": (bool,), "array": (list,), "object": (dict,),
         "integer": (int, float, str), "number": (int, float, str)}  # fmt: skip


def _check_declared(body: dict[str, Any]) -> None:
    """Each field the endpoint's ``@doc(body=...)`` declares has its declared JSON type (null or an
    empty string is an absent value). Numbers may come as numeric text, as the web app's form
    inputs send them; whether a number is finite and in range each handler judges with ``number``
    against its own bounds (a 400 here, or its own 422)."""
    view = current_app.view_functions.get(request.endpoint or "")
    declared: dict[str, str] = (getattr(view, "_openapi", None) or {}).get("body") or {}
    for name, text in declared.items():
        value = body.get(name)
        if value is None or value == "":
            continue
        kind = declared_kind(text)
        if not isinstance(value, KINDS[kind]) or (isinstance(value, bool) and kind != "boolean"):
            raise BadRequestBody(f"{name} must be {'an' if kind[0] in 'aeiou' else 'a'} {kind}")
        if kind in ("integer", "number") and isinstance(value, str) and not _numeric(value):
            raise BadRequestBody(f"{name} must be {'an integer' if kind == 'integer' else 'a number'}")


def _numeric(text: str) -> bool:
    """Text a number parses from; its range and finiteness are the handler's to judge (``number``)."""
    try:
        float(text[:40])
    except ValueError:
        return False
    return True


def number(
    value: object, name: str, lo: float = -1e15, hi: float = 1e15, *, integer: bool = False
) -> float | int | None:
    """``value`` (a JSON number or numeric string) as a finite number in [lo, hi]; None when empty.

    Raises ``BadRequestBody`` for text that is no number, ``inf``/``nan`` and values out of range."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadRequestBody(f"{name} must be a number")
    try:
        if integer and isinstance(value, float):
            out: float | int = int(value) if math.isfinite(value) else value  # truncated, as before
        elif integer:
            text = str(value).strip()
            out = int(text) if len(text) <= 20 else math.inf
        else:
            out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise BadRequestBody(f"{name} must be {'an integer' if integer else 'a number'}") from None
    if not (math.isfinite(out) and lo <= out <= hi):
        raise BadRequestBody(f"{name} must be between {lo:g} and {hi:g}")
    return out


def body_int(body: dict[str, Any], name: str, default: int = 0) -> int:
    """An id or count from the body as a 64-bit integer (``default`` when absent): ``"abc"`` or
    ``1e30`` is a 400, not a ``ValueError`` or a database overflow (500)."""
    value = number(body.get(name), name, -INT64, INT64, integer=True)
    return default if value is None else int(value)
