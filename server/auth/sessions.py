"""Server-side sessions in the database: the cookie carries a random id, the table its sha256.

Any worker can serve any request; logout and password changes end a session everywhere at once.
A fresh id is issued at every login (no session fixation). The CSRF token belongs to the session.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from flask import Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.auth.models import AuthSession, User

SESSION_COOKIE = "rs_session"
CSRF_COOKIE = "rs_csrf"
CSRF_HEADER = "X-CSRF-Token"
SESSION_LIFETIME_S = 14 * 86400


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_session(session: Session, user_id: int, now: int | None = None) -> tuple[str, str]:
    """Returns (cookie value, csrf token); expired sessions are swept on the way."""
    now = now or int(time.time())
    session.execute(delete(AuthSession).where(AuthSession.expires_at < now))
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(
        AuthSession(
            id_hash=digest(sid),
            user_id=user_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + SESSION_LIFETIME_S,
        )
    )
    return sid, csrf


def load_session(session: Session, sid: str) -> tuple[User, AuthSession] | None:
    row = session.execute(
        select(User, AuthSession)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(AuthSession.id_hash == digest(sid), AuthSession.expires_at >= int(time.time()))
    ).first()
    if row is None or not row[0].active:
        return None
    return row[0], row[1]


def destroy_session(session: Session, sid: str | None) -> None:
    if sid:
        session.execute(delete(AuthSession).where(AuthSession.id_hash == digest(sid)))


def set_cookies(response: Response, sid: str, csrf: str, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE, sid, max_age=SESSION_LIFETIME_S, httponly=True, secure=secure, samesite="Lax"
    )
    # Readable by the page's script, which echoes it in the X-CSRF-Token header (double submit).
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=SESSION_LIFETIME_S, httponly=False, secure=secure, samesite="Lax"
    )


def clear_cookies(response: Response, secure: bool) -> None:
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, secure=secure, samesite="Lax", httponly=name == SESSION_COOKIE)
