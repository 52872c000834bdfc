"""Who is asking, and the deny-by-default gate every request passes through.

``install(app)`` resolves the caller once per request (session cookie or ``Authorization:
Bearer rs_…`` API token) into ``g.user``, then refuses any ``/api/`` endpoint not marked
``@public`` unless someone is signed in, checks CSRF on state-changing cookie requests and the
token's scopes. What a signed-in user may *see* is decided by server/auth/policy.py; what they may
*change*, by each write route's declaration, enforced here for every write (server/auth/writes.py).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request

from server.audit import audit_actor
from server.auth import writes
from server.auth.roles import CurrentUser, Role
from server.auth.sessions import CSRF_HEADER, SESSION_COOKIE, load_session
from server.auth.tokens import TOKEN_PREFIX, lookup_token
from server.errors import problem
from server.services import services

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OWN_AUTH_BLUEPRINTS = frozenset({"ingest"})  # gateway bearer tokens, checked by that blueprint


def public(view: F) -> F:
    """Mark an /api/ endpoint as reachable without signing in (login, the OpenAPI document)."""
    view._public = True  # type: ignore[attr-defined]
    return view


def current_user() -> CurrentUser | None:
    user: CurrentUser | None = g.get("user")
    return user


def login_required(view: F) -> F:
    """Explicit marker for views outside /api/ (inside it, the gate already requires a user)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return problem(401, "Sign-in required")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def roles_required(*roles: Role) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return problem(401, "Sign-in required")
            if user.role not in roles:
                return problem(403, "Not allowed for your role")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _identify() -> tuple[CurrentUser, str | None] | None:
    """(user, csrf token of the session or None for tokens)."""
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    credentials = credentials.strip()
    with services().db.session() as session:
        # The scheme is case-insensitive (RFC 9110 §11.1): ``bearer rs_…`` is the same token.
        if scheme.lower() == "bearer" and credentials.startswith(TOKEN_PREFIX):
            found = lookup_token(session, credentials)
            if found is None:
                return None
            user, token = found
            return snapshot(user, frozenset(token.scopes), "token"), None
        sid = request.cookies.get(SESSION_COOKIE)
        loaded = load_session(session, sid) if sid else None
        if loaded is None:
            return None
        return snapshot(loaded[0], frozenset({"read", "write"}), "session"), loaded[1].csrf_token


def snapshot(user: Any, scopes: frozenset[str], via: str) -> CurrentUser:
    return CurrentUser(user.id, Role(user.role), user.name, user.phone, user.cooperative_id, scopes, via)


def _gate() -> Response | None:
    g.user = None
    audit_actor.set(None)
    if request.blueprint in OWN_AUTH_BLUEPRINTS or request.endpoint is None:
        return None
    found = _identify()
    csrf = found[1] if found else None
    if found is not None:
        g.user = found[0]
        audit_actor.set(g.user.id)
    refused = _authenticate(found is not None, csrf)
    if refused is not None or request.method in SAFE_METHODS:
        return refused
    return writes.authorize(request.endpoint)  # who may make this write: server/auth/writes.py


def _authenticate(signed_in: bool, csrf: str | None) -> Response | None:
    """/api/ endpoints need a user (unless ``@public``); their writes a write scope or the CSRF echo."""
    view = current_app.view_functions.get(request.endpoint or "")
    if not request.path.startswith("/api/") or getattr(view, "_public", False):
        return None
    if not signed_in:
        return problem(401, "Sign-in required", "Sign in at POST /api/v1/auth/login or send an API token.")
    if request.method in SAFE_METHODS:
        return None
    if g.user.via == "token":
        return None if "write" in g.user.scopes else problem(403, "Token lacks the 'write' scope")
    sent = request.headers.get(CSRF_HEADER, "")
    if not csrf or not hmac.compare_digest(sent, csrf):
        return problem(403, "CSRF token missing or wrong", f"Echo the rs_csrf cookie in {CSRF_HEADER}.")
    return None


def install(app: Flask) -> None:
    app.before_request(_gate)
    writes.install(app)
