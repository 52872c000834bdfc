"""Technician tables: soil-probe calibrations (versioned per node) and pushed node configs.

Raw probe readings stay in the time series (channel ``soil_raw``), so any calibration version can
be applied to the whole history again (``technician.calibration.recompute``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
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
