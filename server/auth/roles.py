"""Roles and the signed-in principal that every policy decision takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    FARMER = "farmer"  # nông dân: own farms
    OFFICER = "officer"  # cán bộ khuyến nông: assigned communes, detail only with the farmer's consent
    TECHNICIAN = "technician"  # kỹ thuật viên: the gateways and nodes they maintain
    MANAGER = "manager"  # quản lý HTX: the farms of their cooperative
    ADMIN = "admin"  # everything


@dataclass(frozen=True)
class CurrentUser:
    """A detached snapshot of the signed-in user, safe to keep in ``flask.g`` beyond the DB session."""

    id: int
    role: Role
    name: str
    phone: str
    cooperative_id: int | None = None
    scopes: frozenset[str] = field(default_factory=lambda: frozenset({"read", "write"}))
    via: str = "session"  # session | token

    def public(self) -> dict[str, object]:
        return {
            "id": self.id,
            "role": self.role.value,
            "name": self.name,
            "phone": self.phone,
            "cooperative_id": self.cooperative_id,
            "scopes": sorted(self.scopes),
        }
