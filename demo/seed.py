"""A demo cooperative in Vĩnh Phúc (Phú Thọ province since July 2025): 3 farms, 8 fields, 12 nodes.

Also one login per role (demo/people.py): farmers 0912000001–3 / "demo-nongdan-1"–3, officer
0912000010, technician 0912000020, manager 0912000030, admin 0912000099 (passwords in docs/api.md).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from demo.people import seed_people
from server.auth.sessions import digest
from server.db import Database
from server.registry.models import Cooperative, Farm, Field, Gateway, Node


@dataclass(frozen=True)
class FieldSpec:
    name: str
    crop: str
    lat: float  # south-west corner
    lon: float
    size_m: tuple[float, float]  # east-west, north-south extent
    skew: float  # fraction: irregular, hand-drawn looking plot edges
    node_kinds: tuple[str, ...]


# Plots near Vĩnh Tường, Tam Dương and Yên Lạc (former districts, kept as labels).
FARMS: tuple[tuple[str, str, str, tuple[FieldSpec, ...]], ...] = (
    (
        "Trang trại Nguyễn Văn Hùng",
        "Nguyễn Văn Hùng",
        "xã Vĩnh Tường",
        (
            FieldSpec("Ruộng lúa Đồng Trước", "rice", 21.2338, 105.4921, (92, 61), 0.08, ("soil", "weather")),
            FieldSpec("Ruộng lúa Đồng Sau", "rice", 21.2352, 105.4937, (70, 48), 0.12, ("soil",)),
            FieldSpec("Vườn cà chua", "tomato", 21.2329, 105.4950, (38, 29), 0.05, ("soil", "soil")),
        ),
    ),
    (
        "Hộ Trần Thị Lan",
        "Trần Thị Lan",
        "xã Tam Dương",
        (
            FieldSpec("Ruộng ngô Gò Cao", "maize", 21.3612, 105.5503, (80, 55), 0.10, ("soil", "weather")),
            FieldSpec("Ruộng dưa chuột", "cucumber", 21.3624, 105.5519, (35, 26), 0.06, ("soil",)),
            FieldSpec("Vườn bắp cải", "cabbage", 21.3603, 105.5527, (44, 31), 0.09, ("soil",)),
        ),
    ),
    (
        "HTX rau sạch Yên Lạc — tổ 3",
        "Lê Văn Minh",
        "xã Yên Lạc",
        (
            FieldSpec("Ruộng khoai tây", "potato", 21.2204, 105.5802, (66, 40), 0.07, ("soil", "weather")),
            FieldSpec("Ruộng lúa Cửa Đình", "rice", 21.2219, 105.5821, (85, 52), 0.11, ("soil",)),
        ),
    ),
)
M_PER_DEG_LAT = 110574.0  # WGS84 near 21°N


def field_polygon(spec: FieldSpec) -> dict[str, object]:
    import math

    dlat = spec.size_m[1] / M_PER_DEG_LAT
    dlon = spec.size_m[0] / (111320.0 * math.cos(math.radians(spec.lat)))
    s = spec.skew
    ring = [
        [spec.lon, spec.lat],
        [spec.lon + dlon, spec.lat + dlat * s],
        [spec.lon + dlon * (1 - s / 2), spec.lat + dlat * (1 + s / 2)],
        [spec.lon - dlon * s, spec.lat + dlat],
        [spec.lon, spec.lat],
    ]
    return {"type": "Polygon", "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}


@dataclass(frozen=True)
class SeededNode:
    node_id: int
    key: bytes
    farm_id: int
    field_id: int
    kind: str
    crop: str


@dataclass(frozen=True)
class SeedResult:
    gateway_token: str
    nodes: tuple[SeededNode, ...]


def seed(db: Database, first_node_id: int = 4097) -> SeedResult:
    """Create the cooperative once; on later runs return the existing nodes with a fresh token."""
    token = secrets.token_urlsafe(32)
    with db.session() as session:
        gateway = session.query(Gateway).first()
        if gateway is None:
            coop = Cooperative(
                name="HTX Nông nghiệp Sạch Vĩnh Phúc",
                province="Phú Thọ",
                commune="xã Vĩnh Tường",
                old_district="huyện Vĩnh Tường, tỉnh Vĩnh Phúc",
            )
            gateway = Gateway(name="Cổng HTX Vĩnh Tường", token_hash=digest(token))
            session.add_all([coop, gateway])
            node_id = first_node_id
            farms = []
            for farm_name, owner, commune, fields in FARMS:
                farm = Farm(name=farm_name, owner_name=owner, commune=commune, cooperative=coop)
                session.add(farm)
                farms.append(farm)
                for spec in fields:
                    fld = Field(name=spec.name, crop=spec.crop, farm=farm)
                    fld.geometry = field_polygon(spec)
                    session.add(fld)
                    for i, kind in enumerate(spec.node_kinds):
                        node = Node(
                            id=node_id,
                            name=str(i + 1),
                            field=fld,
                            gateway=gateway,
                            key_hex=os.urandom(16).hex(),
                            kind=kind,
                            lat=spec.lat + 0.0002 * (i + 1),
                            lon=spec.lon + 0.0002 * (i + 1),
                            probe_depth_cm=20,
                            sensors=["soil_vwc", "soil_temp"]
                            + (["sht31", "rain", "wind"] if kind == "weather" else []),
                        )
                        session.add(node)
                        node_id += 1
            seed_people(session, coop, farms, gateway)
        else:
            gateway.token_hash = digest(token)
        session.flush()
        nodes = tuple(
            SeededNode(n.id, bytes.fromhex(n.key_hex), n.field.farm_id, n.field.id, n.kind, n.field.crop)
            for n in session.query(Node).order_by(Node.id)
            if n.field is not None
        )
    return SeedResult(token, nodes)
