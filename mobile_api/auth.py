"""The farmer app's view of the one sign-in and access policy (``server.auth``).

Endpoints ask here in the app's own terms (a field the user may see, a role string); every answer
comes from ``server.auth`` and ``server.auth.policy`` — there is no second authorization system.
"""

from __future__ import annotations

from flask import Response
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from server.auth import current_user, login_required, public
from server.auth.policy import can_view_farm, can_view_field, visible_farm_ids
from server.errors import problem
from server.registry.models import Field

__all__ = [
    "can_see_farm",
    "current_user",
    "login_required",
    "public",
    "require_role",
    "visible_farms",
    "visible_field",
]


def require_role(*roles: str) -> Response | None:
    """None when the signed-in user has one of ``roles`` (role values, e.g. "officer"), else a 403."""
    user = current_user()
    if user is None or user.role.value not in roles:
        return problem(403, "Not allowed", f"needs role {' or '.join(roles)}")
    return None


def can_see_farm(db: Session, farm_id: int) -> bool:
    return can_view_farm(db, current_user(), farm_id)


def visible_farms(db: Session) -> set[int]:
    """Ids of the farms the user may see in detail: one policy question for a whole list."""
    return visible_farm_ids(db, current_user())


def visible_field(db: Session, field_id: int, *options: ORMOption) -> Field | None:
    """The field if the user may see it (policy scope), else None (answered as 404, not 403).

    ``options`` (e.g. ``selectinload(Field.nodes)``) load what the caller needs with the field."""
    field = db.get(Field, field_id, options=options)
    return field if field is not None and can_view_field(db, current_user(), field) else None
