"""Helpers shared by the app's endpoints: the signed-in user, idempotency keys, dates from requests.

The domain facts they used to hold (field profile, harvest locks) live in ``server.farm.locks``."""

from __future__ import annotations

import re
import time
from datetime import date
from typing import Any

from flask import request

from mobile_api.auth import current_user
from server.farm import locks

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def now_s() -> int:
    return int(time.time())


def today() -> date:
    return locks.today()


def user_id() -> str | None:
    user = current_user()
    return str(user.id) if user else None


def idempotency_key(body: dict[str, Any]) -> str | None:
    """The client's key from the ``Idempotency-Key`` header or the body; None when malformed."""
    key = request.headers.get("Idempotency-Key") or str(body.get("idempotency_key") or "")
    return key if IDEMPOTENCY_KEY.match(key) else None


def parse_date(text: object) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return None
