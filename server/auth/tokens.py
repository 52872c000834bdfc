"""API tokens for scripts and other clients: shown once, stored as sha256, scoped, revocable."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.auth.models import ApiToken, User
from server.auth.sessions import digest

TOKEN_PREFIX = "rs_"
SCOPES = frozenset({"read", "write"})


def issue_token(session: Session, user_id: int, name: str, scopes: set[str]) -> tuple[ApiToken, str]:
    if not scopes or not scopes <= SCOPES:
        raise ValueError(f"scopes must be a non-empty subset of {sorted(SCOPES)}")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user_id,
        name=name[:100],
        token_hash=digest(secret),
        scopes=sorted(scopes),
        created_at=datetime.now(UTC),
    )
    session.add(token)
    session.flush()
    return token, secret


def lookup_token(session: Session, secret: str) -> tuple[User, ApiToken] | None:
    row = session.execute(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row[0].active:
        return None
    return row[0], row[1]


def revoke_token(session: Session, user_id: int, token_id: int, any_user: bool = False) -> bool:
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != user_id and not any_user) or token.revoked_at is not None:
        return False
    token.revoked_at = datetime.now(UTC)
    return True


def token_view(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.id,
        "name": token.name,
        "scopes": token.scopes,
        "created_at": token.created_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }
