"""Limit/offset pagination and time-range query parameters, shared by every list endpoint."""

from __future__ import annotations

import time
from typing import Any

from flask import request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_LIMIT = 500


class BadQuery(ValueError):
    """A query parameter is malformed; answered as a 400 problem."""


def int_arg(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw) if len(raw) <= 20 else hi + 1  # no int() of a megabyte of digits
    except ValueError as exc:
        raise BadQuery(f"{name} must be an integer") from exc
    if not lo <= value <= hi:
        raise BadQuery(f"{name} must be between {lo} and {hi}")
    return value


def id_arg(name: str, lo: int = 0, hi: int = 2**63 - 1) -> int | None:
    """An optional integer query parameter (an id, a version, a time): None when absent.

    ``request.args.get(name, type=int)`` turned ``abc`` into None and let
    ``99999999999999999999999`` through to the database, which cannot bind it (500); this
    answers both with a 400 problem instead."""
    if not request.args.get(name):
        return None
    return int_arg(name, 0, lo, hi)


def page(session: Session, query: Select[Any]) -> tuple[list[Any], dict[str, Any]]:
    """Rows of ``query`` for ?limit=&offset=, and the paging block the response carries."""
    limit = int_arg("limit", 100, 1, MAX_LIMIT)
    offset = int_arg("offset", 0, 0, 10**9)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = list(session.scalars(query.limit(limit).offset(offset)))
    nxt = offset + limit if offset + limit < total else None
    return rows, {"limit": limit, "offset": offset, "total": total, "next_offset": nxt}


def time_range(default_hours: int = 24, max_days: int = 3660) -> tuple[int, int]:
    """?start=&end= (Unix seconds) or ?hours=; end defaults to now."""
    now = int(time.time())
    end = int_arg("end", now, 946684800, now + 86400)
    if "start" in request.args:
        start = int_arg("start", end - default_hours * 3600, 946684800, end)
    else:
        start = end - int_arg("hours", default_hours, 1, max_days * 24) * 3600
    if end - start > max_days * 86400:
        raise BadQuery(f"at most {max_days} days per request")
    return start, end
