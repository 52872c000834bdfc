"""Demo people and administrative areas: one login per role, printed by the demo (docs/api.md).

Phones are fictitious. Passwords are for the demo only; a real install creates people with
``farm server user add``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.auth.models import OfficerArea, TechnicianGateway, User
from server.auth.passwords import hash_password, local_phone, normalise_phone
from server.auth.roles import Role
from server.registry.areas import AdminArea
from server.registry.models import Cooperative, Farm, Gateway

# (phone, password, role, name); farmers are matched to farms in seeding order.
FARMERS = tuple((f"091200000{i}", f"demo-nongdan-{i}", Role.FARMER) for i in (1, 2, 3))
STAFF = (
    ("0912000010", "demo-khuyennong", Role.OFFICER, "Phạm Thu Hà (cán bộ khuyến nông)"),
    ("0912000020", "demo-kythuat", Role.TECHNICIAN, "Đỗ Quang Huy (kỹ thuật viên)"),
    ("0912000030", "demo-quanly", Role.MANAGER, "Vũ Thị Mai (quản lý HTX)"),
    ("0912000099", "demo-quantri", Role.ADMIN, "Quản trị hệ thống"),
)
CONSENTING_FARMS = 2  # the first two farmers share detail with the officer; the third shares aggregates only


def demo_logins() -> list[tuple[str, str, str]]:
    """(phone, password, role) of every demo account, for the demo's printout."""
    return [(p, pw, r.value) for p, pw, r in FARMERS] + [(p, pw, r.value) for p, pw, r, _ in STAFF]


def _user(session: Session, phone: str, password: str, role: Role, name: str, **extra: object) -> User:
    e164 = normalise_phone(phone)
    assert e164 is not None and local_phone(e164) == phone
    user = User(phone=e164, name=name, role=role.value, password_hash=hash_password(password), **extra)
    session.add(user)
    return user


def seed_people(session: Session, coop: Cooperative, farms: list[Farm], gateway: Gateway) -> None:
    province = AdminArea(name="Phú Thọ", level="province", code="25")
    session.add(province)
    session.flush()
    communes: dict[str, AdminArea] = {}
    for name in dict.fromkeys([coop.commune, *(f.commune for f in farms)]):
        old = f"huyện {name.removeprefix('xã ')}, tỉnh Vĩnh Phúc"
        communes[name] = AdminArea(name=name, level="commune", parent_id=province.id, old_district=old)
    session.add_all(communes.values())
    session.flush()
    coop.commune_id = communes[coop.commune].id
    for i, (farm, (phone, password, role)) in enumerate(zip(farms, FARMERS, strict=False)):
        owner = _user(session, phone, password, role, farm.owner_name)
        session.flush()
        farm.owner_id, farm.commune_id = owner.id, communes[farm.commune].id
        farm.share_with_officers = i < CONSENTING_FARMS
    staff = {}
    for phone, password, role, name in STAFF:
        manager_of = coop.id if role == Role.MANAGER else None
        staff[role] = _user(session, phone, password, role, name, cooperative_id=manager_of)
    session.flush()
    session.add_all([OfficerArea(user_id=staff[Role.OFFICER].id, area_id=c.id) for c in communes.values()])
    session.add(TechnicianGateway(user_id=staff[Role.TECHNICIAN].id, gateway_id=gateway.id))
