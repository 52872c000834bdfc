"""Helpers shared by the app's endpoints: the signed-in user, idempotency keys (scoped to that
user), dates from requests.

The domain facts they used to hold (field profile, harvest locks) live in ``server.farm.locks``."""

from __future__ import annotations

import re
import time
from datetime import date
from typing import Any, TypeVar, cast

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import Session

from mobile_api.auth import current_user

M = TypeVar("M")
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def now_s() -> int:
    return int(time.time())



def user_id() -> str | None:
    user = current_user()
    return str(user.id) if user else None


def idempotency_key(body: dict[str, Any]) -> str | None:
    """The client's key from the ``Idempotency-Key`` header or the body; None when malformed.

    A key means something only together with who sent it: look a retry up with ``replayed``."""
    key = request.headers.get("Idempotency-Key") or str(body.get("idempotency_key") or "")
    return key if IDEMPOTENCY_KEY.match(key) else None


def replayed(db: Session, model: type[M], key: str) -> M | None:
    """The row this user already stored under ``key`` (a retried offline save), else None.

    Keys are unique per user (``created_by``, migration 0008), never across users: looked up by
    the key alone, another user's key would hand back their row and drop this user's write."""
    table: Any = model  # a mapped class with idempotency_key and created_by columns
    row = db.scalar(select(table).where(table.idempotency_key == key, table.created_by == user_id()))
    return cast("M | None", row)


def parse_date(text: object) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return None
