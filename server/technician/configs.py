"""Node configs: the body the firmware reads, signed with firmware/lib/nodeconfig.py.

Every change (interval, thresholds, calibration) is a new version: ``Node.config_version`` is
bumped, the body and signed blob are stored, and the node reports the version it runs in channel
``config_version`` (frame flag CONFIG_ACK), which is how the technician sees it applied.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.registry.models import Node
from server.technician.models import NodeConfigVersion

TUNABLE = ("interval_s", "send_every", "thresholds", "soil_cal", "sensors", "low_batt_v")
SENSOR_CHOICES = ("soil", "ds18b20", "sht3x", "sht4x", "probe", "rain", "wind", "battery")


class ConfigInvalid(ValueError):
    pass


def latest_body(session: Session, node: Node) -> dict[str, Any]:
    row = session.scalar(
        select(NodeConfigVersion)
        .where(NodeConfigVersion.node_id == node.id)
        .order_by(NodeConfigVersion.version.desc())
    )
    return dict(row.body) if row else {}


def sign(node: Node, body: dict[str, Any]) -> str | None:
    """The signed blob, or None while the firmware's nodeconfig is not available; raises ConfigInvalid."""
    try:
        from firmware.lib import nodeconfig
    except ImportError:
        return None
    try:
        return bytes(nodeconfig.sign(bytes.fromhex(node.key_hex), body)).decode()
    except nodeconfig.ConfigError as exc:
        raise ConfigInvalid(str(exc)) from exc


def push(
    session: Session, node: Node, changes: dict[str, Any], user_id: int | None, initial: bool = False
) -> NodeConfigVersion:
    """A new config version = the last body with ``changes`` applied; the node picks it up next wake."""
    unknown = set(changes) - set(TUNABLE)
    if unknown:
        raise ConfigInvalid(f"cannot change {sorted(unknown)} here; allowed: {list(TUNABLE)}")
    last = session.scalar(
        select(NodeConfigVersion.version)
        .where(NodeConfigVersion.node_id == node.id)
        .order_by(NodeConfigVersion.version.desc())
    )
    version = 1 if initial else max(node.config_version or 1, last or 0) + 1
    body = latest_body(session, node) | {k: v for k, v in changes.items() if v is not None}
    body |= {"node_id": node.id, "version": version}
    blob = sign(node, body)
    row = NodeConfigVersion(
        node_id=node.id,
        version=version,
        body=body,
        blob=blob,
        created_by=user_id,
        created_at=int(time.time()),
    )
    node.config_version = version
    session.add(row)
    session.flush()
    return row


def mark_applied(session: Session, node_id: int, reported: float | None, seen_at: int) -> int | None:
    """Record when the node first reported running each pushed version; returns the reported version."""
    if reported is None:
        return None
    for row in session.scalars(
        select(NodeConfigVersion).where(
            NodeConfigVersion.node_id == node_id,
            NodeConfigVersion.version <= int(reported),
            NodeConfigVersion.applied_at.is_(None),
        )
    ):
        row.applied_at = seen_at
    return int(reported)
