"""Shared set-up for the server benchmarks: a registry with N nodes on one gateway, and frames."""

from __future__ import annotations

import random
import secrets

from server.auth.sessions import digest
from server.db import Database
from server.registry.models import Cooperative, Farm, Field, Gateway, Node
from server.timeseries.base import FrameRecord

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[105.5, 21.2], [105.501, 21.2], [105.501, 21.201], [105.5, 21.2]]],
}
FIRST_NODE = 100_000


def make_registry(database_url: str, nodes: int, nodes_per_field: int = 10) -> str:
    """Migrate, then add a cooperative, fields and ``nodes`` nodes on one gateway; returns its token."""
    db = Database(database_url)
    db.upgrade()
    token = secrets.token_urlsafe(32)
    with db.session() as s:
        coop = Cooperative(name="Bench", province="Phú Thọ", commune="xã Bench")
        gw = Gateway(name="bench", token_hash=digest(token))
        farm = Farm(name="Bench farm", owner_name="bench", commune="xã Bench", cooperative=coop)
        s.add_all([coop, gw, farm])
        field = None
        for i in range(nodes):
            if i % nodes_per_field == 0:
                field = Field(farm=farm, name=f"f{i // nodes_per_field}", crop="rice")
                field.geometry = SQUARE
                s.add(field)
            s.add(
                Node(id=FIRST_NODE + i, name=str(i), field=field, gateway=gw, key_hex="00" * 16, sensors=[])
            )
    db.engine.dispose()
    return token


def frame_values(rng: random.Random) -> dict[str, float]:
    """Six channels, like a soil + weather node (about the floor's 6 float fields per line)."""
    return {
        "soil_vwc": round(rng.uniform(0.1, 0.45), 4),
        "soil_temp": round(rng.uniform(18, 32), 2),
        "air_temp": round(rng.uniform(15, 38), 2),
        "air_rh": round(rng.uniform(40, 100), 2),
        "battery": round(rng.uniform(3.4, 4.2), 3),
        "rssi": float(rng.randint(-100, -40)),
    }


def records(nodes: int, per_node: int, start_s: int, step_s: int = 900, seed: int = 1) -> list[FrameRecord]:
    rng = random.Random(seed)
    out = []
    for k in range(per_node):
        for i in range(nodes):
            out.append(
                FrameRecord(FIRST_NODE + i, k + 1, start_s + k * step_s, 1, 1 + i // 10, frame_values(rng))
            )
    return out
