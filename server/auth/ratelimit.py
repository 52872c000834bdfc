"""Login rate limiting with its state in the database, so every worker sees the same counts.

Failures are counted per phone (slows guessing one account) and per client address (slows
spraying many accounts) inside a sliding window; a success clears the phone's count.
"""

from __future__ import annotations

import time

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from server.auth.models import LoginFailure

WINDOW_S = 15 * 60
MAX_PER_PHONE = 5
MAX_PER_ADDRESS = 30


def retry_after(session: Session, phone_key: str, address_key: str, now: int | None = None) -> int | None:
    """Seconds to wait if either key is over its limit, else None."""
    now = now or int(time.time())
    for key, limit in ((phone_key, MAX_PER_PHONE), (address_key, MAX_PER_ADDRESS)):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.key == key, LoginFailure.at > now - WINDOW_S
            )
        ).one()
        if count >= limit:
            return max(1, int(oldest) + WINDOW_S - now)
    return None


def record_failure(session: Session, *keys: str, now: int | None = None) -> None:
    now = now or int(time.time())
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW_S))
    session.add_all([LoginFailure(key=k, at=now) for k in keys])


def clear(session: Session, key: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))
