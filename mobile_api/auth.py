"""Who is asking and what they may see — the one place the app's endpoints ask.

Each endpoint is wrapped in ``login_required`` and reads fields through ``visible_field``. When
the server core's gate (``server.auth``: session cookie, roles, CSRF, ``policy`` scopes) is
installed on the app, every answer here comes from it; otherwise ``authdev`` provides the same
three sign-in endpoints for the demo accounts and these helpers read its session.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import Response, current_app, request, session
from sqlalchemy.orm import Session

from server.errors import problem
from server.registry.models import Field

F = TypeVar("F", bound=Callable[..., Any])
SESSION_KEY = "ruongso_app_user"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def core_active() -> bool:
    """True when the server core's sign-in blueprint and gate are on this app."""
    return "auth" in current_app.blueprints


@dataclass(frozen=True)
class AppUser:
    id: int | str
    name: str
    role: str  # farmer | officer | technician | admin
    farm_ids: frozenset[int] | None  # None: every farm (officers of the cooperative)
    csrf: str

    def as_json(self) -> dict[str, Any]:
        farms = None if self.farm_ids is None else sorted(self.farm_ids)
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "farm_ids": farms,
            "csrf_token": self.csrf,
        }


def current_user() -> AppUser | None:
    if core_active():
        from server.auth import current_user as core_user

        u = core_user()
        return None if u is None else AppUser(u.id, u.name, str(u.role.value), frozenset(), "")
    raw = session.get(SESSION_KEY)
    if not raw:
        return None
    farms = raw.get("farm_ids")
    return AppUser(
        raw["id"], raw["name"], raw["role"], None if farms is None else frozenset(farms), raw["csrf"]
    )


def login_required(fn: F) -> F:
    """401 without a session; 403 on a state-changing request without the matching X-CSRF-Token."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            return problem(401, "Not logged in", "log in with POST /api/v1/auth/login")
        if request.method not in SAFE_METHODS and not core_active():  # the core's gate checks it itself
            sent = request.headers.get("X-CSRF-Token", "")
            if not hmac.compare_digest(sent, user.csrf):
                return problem(403, "CSRF token missing or wrong", "send the X-CSRF-Token header")
        return fn(*args, **kwargs)

    return cast(F, wrapper)


def require_role(*roles: str) -> Response | None:
    user = current_user()
    if user is None or user.role not in roles:
        return problem(403, "Not allowed", f"needs role {' or '.join(roles)}")
    return None


def visible_farm_ids(db: Session) -> set[int] | None:
    """Farms the user may see in detail; None means every farm (dev officer account)."""
    if core_active():
        from server.auth import current_user as core_user
        from server.auth.policy import visible_farm_ids as core_visible

        return core_visible(db, core_user())
    user = current_user()
    if user is None:
        return set()
    return None if user.farm_ids is None else set(user.farm_ids)


def can_see_farm(db: Session, farm_id: int) -> bool:
    ids = visible_farm_ids(db)
    return ids is None or farm_id in ids


def visible_field(db: Session, field_id: int) -> Field | None:
    """The field if the user may see it (policy scope), else None (answered as 404, not 403)."""
    field = db.get(Field, field_id)
    return field if field is not None and can_see_farm(db, field.farm_id) else None


def public(view: F) -> F:
    """Reachable without signing in (the server core's gate reads the same marker)."""
    view._public = True  # type: ignore[attr-defined]
    return view
