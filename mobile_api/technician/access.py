"""What the signed-in technician may touch — every answer comes from server/auth/policy.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.auth import Role, current_user, roles_required
from server.auth.policy import can_maintain_node, visible_gateway_ids, visible_node_ids
from server.registry.models import Field, Gateway, Node

F = TypeVar("F", bound=Callable[..., Any])


def tech_only(view: F) -> F:
    @roles_required(Role.TECHNICIAN, Role.ADMIN)
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def nodes(session: Session) -> list[Node]:
    ids = visible_node_ids(session, current_user())
    return list(session.scalars(select(Node).where(Node.id.in_(ids)).order_by(Node.id)))


def node_for_write(session: Session, node_id: int) -> Node | None:
    """The node if the technician maintains it (policy), else None (answered 404)."""
    node = session.get(Node, node_id)
    return node if node is not None and can_maintain_node(session, current_user(), node) else None


def node_for_read(session: Session, node_id: int) -> Node | None:
    node = session.get(Node, node_id)
    return node if node is not None and node_id in visible_node_ids(session, current_user()) else None


def gateways(session: Session) -> list[Gateway]:
    ids = visible_gateway_ids(session, current_user())
    return list(session.scalars(select(Gateway).where(Gateway.id.in_(ids)).order_by(Gateway.id)))


def install_fields(session: Session) -> list[Field]:
    """Fields a node can be bound to: those already served by the technician's gateways, and the
    fields of the farms those gateways belong to. Name, crop and shape only — no farm detail."""
    gws = gateways(session)
    gw_ids = {g.id for g in gws}
    farm_ids = {g.farm_id for g in gws if g.farm_id is not None}
    served = set(session.scalars(select(Node.field_id).where(Node.gateway_id.in_(gw_ids))))
    q = select(Field).where(Field.id.in_(served - {None}) | Field.farm_id.in_(farm_ids)).order_by(Field.id)
    return list(session.scalars(q))
