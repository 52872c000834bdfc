"""Login rate limiting with its state in the database, so every worker sees the same counts.

Attempts are counted per phone (slows guessing one account) and per client address (slows
spraying many accounts) inside a sliding window; a correct password clears the phone's count.

The attempt is counted *before* the password is checked, never after: reading the count, checking
the password and then recording a failure let parallel guesses all read the same low count (19 of
25 simultaneous guesses were checked against a limit of 5). Each attempt instead commits its own
row first and only then counts the rows in the window, its own included. Whichever of any
``limit + 1`` attempts commits last sees all the others, so at most ``limit`` attempts per key are
let through to the password check, in any worker process, on SQLite and PostgreSQL alike, with no
lock and no schema change. Rows of attempts that are turned away (or never checked) are removed, so
being refused does not extend a lockout; a success removes its address row, so a shared office
address is charged for failures only.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import delete, func, select

from server.auth.models import LoginFailure
from server.db import Database

WINDOW_S = 15 * 60
MAX_PER_PHONE = 5
MAX_PER_ADDRESS = 30


def begin_attempt(
    db: Database, phone_key: str, address_key: str, now: int | None = None
) -> tuple[list[int], int | None]:
    """Count one attempt against both keys; (its row ids, None) if it may proceed, else ([], wait s)."""
    now = now or int(time.time())
    keys = ((phone_key, MAX_PER_PHONE), (address_key, MAX_PER_ADDRESS))
    # Committed before counting: that is what makes the count safe. Expired rows are pruned by the
    # periodic job (server.jobs), not here, so parallel attempts never contend on deleting them.
    with db.session() as session:
        rows = [LoginFailure(key=key, at=now) for key, _ in keys]
        session.add_all(rows)
        session.flush()
        ids = [row.id for row in rows]
    with db.session() as session:
        for key, limit in keys:
            count, oldest = session.execute(
                select(func.count(), func.min(LoginFailure.at)).where(
                    LoginFailure.key == key, LoginFailure.at > now - WINDOW_S
                )
            ).one()
            if count > limit:  # the count includes this attempt
                session.execute(delete(LoginFailure).where(LoginFailure.id.in_(ids)))
                return [], max(1, int(oldest) + WINDOW_S - now)
    return ids, None


def withdraw(db: Database, ids: Sequence[int]) -> None:
    """Forget an attempt whose password was never checked (e.g. no hashing slot was free)."""
    with db.session() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.id.in_(list(ids))))


def succeeded(db: Database, phone_key: str, ids: Sequence[int]) -> None:
    """A correct password: clear the phone's count and refund this attempt's address row."""
    with db.session() as session:
        session.execute(
            delete(LoginFailure).where((LoginFailure.key == phone_key) | LoginFailure.id.in_(list(ids)))
        )
