"""Who may see and change what: the ONE place access rules live. Views ask; they never decide.

Deny by default: an unknown role, a missing user or an unassigned object gets nothing.
- farmer: the farms they own (and their fields, nodes, series);
- officer: farms in the communes assigned to them — detail only where the farmer consented to
  share (``Farm.share_with_officers``), otherwise only the commune's aggregates;
- technician: the gateways they maintain and those gateways' nodes (no farm detail);
- manager: the farms of their cooperative;
- admin: everything.
The ``visible_*`` helpers return id sets to use in queries (``Farm.id.in_(ids)``).
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from server.auth.models import OfficerArea, TechnicianGateway
from server.auth.roles import CurrentUser, Role
from server.registry.models import Farm, Field, Gateway, Node


def visible_farm_ids(session: Session, user: CurrentUser | None) -> set[int]:
    """Farms whose detail (fields, nodes, readings) the user may see."""
    q = _visible_farms(user)
    return set() if q is None else set(session.scalars(q))


def _visible_farms(user: CurrentUser | None) -> Select[int] | None:
    """The ids of the farms the user may see, as one query; None when there are none."""
    if user is None:
        return None
    q = select(Farm.id)
    if user.role == Role.ADMIN:
        return q
    if user.role == Role.FARMER:
        return q.where(Farm.owner_id == user.id)
    if user.role == Role.OFFICER:
        areas = select(OfficerArea.area_id).where(OfficerArea.user_id == user.id)
        return q.where(Farm.commune_id.in_(areas), Farm.share_with_officers.is_(True))
    if user.role == Role.MANAGER and user.cooperative_id is not None:
        return q.where(Farm.cooperative_id == user.cooperative_id)
    return None


def visible_area_ids(session: Session, user: CurrentUser | None) -> set[int] | None:
    """Communes whose aggregates the user may see; None means all (admin)."""
    if user is None:
        return set()
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.OFFICER:
        return _officer_areas(session, user)
    return set()


def _officer_areas(session: Session, user: CurrentUser) -> set[int]:
    return set(session.scalars(select(OfficerArea.area_id).where(OfficerArea.user_id == user.id)))


def visible_gateway_ids(session: Session, user: CurrentUser | None) -> set[int]:
    """Gateways the user may see: maintained ones (technician), or those of visible farms."""
    if user is None:
        return set()
    if user.role == Role.ADMIN:
        return set(session.scalars(select(Gateway.id)))
    if user.role == Role.TECHNICIAN:
        return set(
            session.scalars(select(TechnicianGateway.gateway_id).where(TechnicianGateway.user_id == user.id))
        )
    farms = visible_farm_ids(session, user)
    return set(session.scalars(select(Gateway.id).where(Gateway.farm_id.in_(farms)))) if farms else set()


def visible_node_ids(session: Session, user: CurrentUser | None) -> set[int]:
    """Nodes whose placement and readings the user may see."""
    if user is None:
        return set()
    if user.role == Role.TECHNICIAN:
        gateways = visible_gateway_ids(session, user)
        return set(session.scalars(select(Node.id).where(Node.gateway_id.in_(gateways))))
    farms = visible_farm_ids(session, user)
    q = select(Node.id).join(Field, Node.field_id == Field.id).where(Field.farm_id.in_(farms))
    return set(session.scalars(q))


def can_view_farm(session: Session, user: CurrentUser | None, farm_id: int) -> bool:
    """``farm_id in visible_farm_ids(...)``, asked about that one farm only."""
    q = _visible_farms(user)
    return q is not None and session.scalar(q.where(Farm.id == farm_id).limit(1)) is not None


def can_view_field(session: Session, user: CurrentUser | None, field: Field) -> bool:
    return can_view_farm(session, user, field.farm_id)


def can_view_node(session: Session, user: CurrentUser | None, node_id: int) -> bool:
    return node_id in visible_node_ids(session, user)


def can_edit_farm(session: Session, user: CurrentUser | None, farm: Farm) -> bool:
    """Owners edit their farm, fields and plantings (and their consent); admins anything."""
    if user is None or "write" not in user.scopes:
        return False
    return user.role == Role.ADMIN or (user.role == Role.FARMER and farm.owner_id == user.id)


def can_maintain_node(session: Session, user: CurrentUser | None, node: Node) -> bool:
    """Technicians change placement and calibration of nodes on the gateways they maintain."""
    if user is None or "write" not in user.scopes:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.TECHNICIAN and node.gateway_id in visible_gateway_ids(session, user)


def can_maintain_gateway(session: Session, user: CurrentUser | None, gateway_id: int) -> bool:
    """Rotating a gateway's token: its technicians and admins."""
    if user is None or "write" not in user.scopes or user.role not in (Role.TECHNICIAN, Role.ADMIN):
        return False
    return gateway_id in visible_gateway_ids(session, user)


def can_read_audit(user: CurrentUser | None) -> bool:
    return user is not None and user.role == Role.ADMIN
