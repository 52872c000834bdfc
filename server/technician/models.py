"""Technician tables: soil-probe calibrations (versioned per node) and pushed node configs.

Raw probe readings stay in the time series (channel ``soil_raw``), so any calibration version can
be applied to the whole history again (``technician.calibration.recompute``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class ProbeCalibration(Base):
    __tablename__ = "tech_calibration"
    __table_args__ = (UniqueConstraint("node_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("node.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    sensor: Mapped[str] = mapped_column(String(20), default="soil_vwc")
    model: Mapped[str] = mapped_column(String(20))  # two_point | piecewise (firmware nodeconfig models)
    coefficients: Mapped[dict[str, Any]] = mapped_column(JSON)  # the nodeconfig ``soil_cal`` object
    points: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # what was measured: raw mV + vwc + how
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(BigInteger)


class NodeConfigVersion(Base):
    """A config pushed to a node: body, signed blob, and when the node reported it applied."""

    __tablename__ = "tech_node_config"
    __table_args__ = (UniqueConstraint("node_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("node.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    blob: Mapped[str | None] = mapped_column(Text)  # firmware.lib.nodeconfig signed blob
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(BigInteger)
    applied_at: Mapped[int | None] = mapped_column(BigInteger)


TECH_TABLES = [ProbeCalibration.__table__, NodeConfigVersion.__table__]


class FirmwareBundle(Base):
    """A firmware update bundle uploaded by a technician (``farm node bundle``), kept whole so the
    gateways can fetch it; the manifest's fields are copied out for listing (issue 20)."""

    __tablename__ = "tech_fw_bundle"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, unique=True)
    board: Mapped[str] = mapped_column(String(16))
    min_batt_v: Mapped[float] = mapped_column(Float)
    size: Mapped[int] = mapped_column(Integer)
    chunks: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)  # firmware.lib.fwbundle.to_file
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(BigInteger)


class FirmwareRollout(Base):
    """A staged rollout: the pilot nodes get the bundle first, the rest once all pilots confirmed it;
    a node that refuses or rolls back stops it (``technician.firmware``)."""

    __tablename__ = "tech_fw_rollout"
    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("tech_fw_bundle.id"), index=True)
    state: Mapped[str] = mapped_column(String(10))  # pilot | wide | done | stopped
    pilot: Mapped[list[int]] = mapped_column(JSON)
    nodes: Mapped[list[int]] = mapped_column(JSON)  # every node of the rollout, pilots included
    reason: Mapped[str] = mapped_column(Text, default="")  # why it stopped (a node and its state)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class GatewayDocument(Base):
    """The latest document of each kind a gateway exchanges with the server — its pushed fleet
    health (``health``) and the local rule set it fetches (``rules``) — kept in the registry so
    every app host sees the same one (issue 19; before, they were files in one host's data dir)."""

    __tablename__ = "gateway_document"
    gateway_id: Mapped[int] = mapped_column(ForeignKey("gateway.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # health | rules
    body: Mapped[str] = mapped_column(Text)  # the JSON document as received (finite numbers only)
    updated_at: Mapped[int] = mapped_column(BigInteger)
