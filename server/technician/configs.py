"""Node configs: the body the firmware reads, signed with firmware/lib/nodeconfig.py.

Every change (interval, thresholds, calibration) is a new version: ``Node.config_version`` is
bumped, the body and signed blob are stored, and the node reports the version it runs in channel
``config_version`` (frame flag CONFIG_ACK), which is how the technician sees it applied.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.channels import ThresholdError, check_threshold
from common.quality import is_flagged
from server.registry.models import Node
from server.technician.models import NodeConfigVersion
from server.timeseries.base import FrameRecord

TUNABLE = ("interval_s", "send_every", "thresholds", "soil_cal", "sensors", "low_batt_v")
SENSOR_CHOICES = ("soil", "ds18b20", "sht3x", "sht4x", "probe", "rain", "wind", "battery")


#: What the technician's config form edits (the rest of the body is set at provisioning).
FORM_KEYS = ("interval_s", "send_every", "thresholds", "low_batt_v")


class ConfigInvalid(ValueError):
    """A config the node would refuse; ``code``/``params`` name the rule for the apps' i18n."""

    def __init__(self, message: str, code: str = "config_invalid", **params: Any) -> None:
        super().__init__(message)
        self.code, self.params = code, params


def _defaults() -> dict[str, Any]:
    from firmware.lib.nodeconfig import DEFAULTS

    return dict(DEFAULTS)


def effective(session: Session, node: Node) -> dict[str, Any]:
    """What the node runs once it takes its newest version: the firmware defaults under the stored
    body, for the keys the form edits. The form starts from this, never from blank defaults."""
    body = _defaults() | latest_body(session, node)
    return {k: body.get(k) for k in FORM_KEYS}


def check_form(changes: dict[str, Any]) -> dict[str, Any]:
    """The form's changes checked against the firmware's schema ranges (``nodeconfig.SCHEMA``) and the
    channel catalogue's threshold rules, before anything is signed; raises ConfigInvalid."""
    from firmware.lib.nodeconfig import SCHEMA

    out: dict[str, Any] = {}
    for key in ("interval_s", "send_every", "low_batt_v"):
        if key not in changes:
            continue
        kind, lo, hi = SCHEMA[key]
        value = changes[key]
        ok = isinstance(value, int | float) and not isinstance(value, bool) and lo <= value <= hi
        if not ok or (kind == "int" and value != int(value)):
            what = "an integer" if kind == "int" else "a number"
            message = f"{key} must be {what} in {lo}..{hi}"
            raise ConfigInvalid(message, "config_range", key=key, min=lo, max=hi)
        out[key] = int(value) if kind == "int" else float(value)
    if "thresholds" in changes:
        given = changes["thresholds"]
        if not isinstance(given, dict):
            raise ConfigInvalid("thresholds must be an object {channel: [low, high]}", "threshold_number")
        out["thresholds"] = {}
        for channel, pair in given.items():
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ConfigInvalid(f"thresholds.{channel} must be [low, high]", "threshold_number",
                                    channel=channel)  # fmt: skip
            try:
                out["thresholds"][channel] = list(check_threshold(str(channel), pair[0], pair[1]))
            except ThresholdError as exc:
                raise ConfigInvalid(str(exc), exc.code, **exc.params) from None
    return out


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


def last_acknowledged(session: Session, node_id: int) -> int | None:
    """The newest version the node was once seen running (``applied_at`` set by ``mark_applied``):
    what the fleet list says when no recent frame carried the version."""
    return session.scalar(
        select(NodeConfigVersion.version)
        .where(NodeConfigVersion.node_id == node_id, NodeConfigVersion.applied_at.is_not(None))
        .order_by(NodeConfigVersion.version.desc())
    )


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


def record_acknowledgements(session: Session, records: Iterable[FrameRecord]) -> int:
    """Mark each pushed version applied when a frame reporting it (channel ``config_version``)
    arrives, at that frame's sample time; returns how many versions were newly marked.

    Called once per ingested batch, so "acknowledged" no longer waits for someone to open the fleet
    or config pages (issue 16), and a node silent for longer than the fleet's look-back still shows
    the version it took. One query per batch, and only when a frame carries a version; a flagged
    version (out of the wire's range) is no acknowledgement."""
    first_seen: dict[int, list[tuple[int, int]]] = {}  # node -> (sample time, version), time order
    for r in records:
        reported = r.values.get("config_version")
        if reported is not None and not is_flagged(r.quality.get("config_version", 0)):
            first_seen.setdefault(r.node_id, []).append((r.time_s, int(reported)))
    if not first_seen:
        return 0
    pending = session.scalars(
        select(NodeConfigVersion).where(
            NodeConfigVersion.node_id.in_(first_seen), NodeConfigVersion.applied_at.is_(None)
        )
    ).all()
    for reports in first_seen.values():
        reports.sort()
    marked = 0
    for row in pending:
        # the earliest frame that reports this version or a newer one: the node was running it then
        seen = next((t for t, version in first_seen[row.node_id] if version >= row.version), None)
        if seen is not None:
            row.applied_at = seen
            marked += 1
    return marked
