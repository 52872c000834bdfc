"""What the signed-in officer may see — every answer comes from server/auth/policy.py.

``Scope`` bundles the policy's answers for one request: the communes the officer covers
(aggregates), and the farms whose detail the farmer agreed to share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from server.auth import Role, current_user, roles_required
from server.auth.policy import visible_area_ids, visible_farm_ids
from server.registry.areas import AdminArea
from server.registry.models import Farm, Field

F = TypeVar("F", bound=Callable[..., Any])
OFFICER_ROLES = (Role.OFFICER, Role.ADMIN)


def officer_only(view: F) -> F:
    @roles_required(*OFFICER_ROLES)
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class Scope:
    area_ids: set[int] | None  # None: every commune (admin)
    detail_farm_ids: set[int]
    farms: list[Farm]  # every farm in the officer's communes (fields and nodes loaded)
    areas: dict[int, str]  # commune id -> name
    area_rows: tuple[AdminArea, ...] = ()  # the communes themselves (codes for the boundary layer)

    def detail(self, farm_id: int) -> bool:
        return farm_id in self.detail_farm_ids


def scope(session: Session) -> Scope:
    user = current_user()
    areas = visible_area_ids(session, user)
    detail = visible_farm_ids(session, user)
    q = select(Farm).options(selectinload(Farm.fields).selectinload(Field.nodes)).order_by(Farm.id)
    if areas is not None:
        q = q.where(Farm.commune_id.in_(areas))
    farms = list(session.scalars(q))
    aq = select(AdminArea)
    if areas is not None:
        aq = aq.where(AdminArea.id.in_(areas))
    rows = tuple(session.scalars(aq))
    names = {a.id: a.name for a in rows}
    return Scope(areas, detail & {f.id for f in farms}, farms, names, rows)


def commune_name(s: Scope, farm: Farm) -> str:
    return s.areas.get(farm.commune_id or -1, farm.commune)
