"""Core registry tables: cooperatives, farms, fields, gateways, nodes and the ingest dedupe keys.

Node keys live here because the server hands them to the node's gateway. Every table a person
edits is ``Audited``: the audit hooks (server/audit.py) record who changed what.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.audit import Audited
from server.db import Base
from server.registry.geo import polygon_area_m2


class Cooperative(Audited, Base):
    __tablename__ = "cooperative"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(100))
    commune: Mapped[str] = mapped_column(String(100))
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    old_district: Mapped[str | None] = mapped_column(String(100))  # pre-July-2025 label, optional
    farms: Mapped[list[Farm]] = relationship(back_populates="cooperative")


class Farm(Audited, Base):
    __tablename__ = "farm"
    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperative.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    commune: Mapped[str] = mapped_column(String(100))
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"), index=True)
    # The farmer's consent to show this farm's detail to extension officers (aggregates otherwise).
    share_with_officers: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cooperative: Mapped[Cooperative | None] = relationship(back_populates="farms")
    fields: Mapped[list[Field]] = relationship(back_populates="farm", order_by="Field.id")


class Field(Audited, Base):
    __tablename__ = "field"
    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    crop: Mapped[str] = mapped_column(String(50))
    geometry_json: Mapped[str] = mapped_column(Text)
    area_m2: Mapped[float] = mapped_column(Float)
    growing_area_id: Mapped[int | None] = mapped_column(ForeignKey("growing_area.id"))
    farm: Mapped[Farm] = relationship(back_populates="fields")
    nodes: Mapped[list[Node]] = relationship(back_populates="field", order_by="Node.id")

    @property
    def geometry(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.geometry_json)
        return result

    @geometry.setter
    def geometry(self, value: dict[str, Any]) -> None:
        self.area_m2 = polygon_area_m2(value)
        self.geometry_json = json.dumps(value, separators=(",", ":"))


class Gateway(Audited, Base):
    __tablename__ = "gateway"
    __audit_exclude__ = frozenset({"token_hash"})
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    farm_id: Mapped[int | None] = mapped_column(ForeignKey("farm.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the bearer token
    nodes: Mapped[list[Node]] = relationship(back_populates="gateway")


class Node(Audited, Base):
    __tablename__ = "node"
    __audit_exclude__ = frozenset({"key_hex"})
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # the wire node id
    name: Mapped[str] = mapped_column(String(100))
    field_id: Mapped[int | None] = mapped_column(ForeignKey("field.id"), index=True)
    gateway_id: Mapped[int | None] = mapped_column(ForeignKey("gateway.id"), index=True)
    key_hex: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20), default="soil")  # soil | weather
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    probe_depth_cm: Mapped[int | None] = mapped_column(Integer)
    sensors: Mapped[list[str]] = mapped_column(JSON, default=list)
    calibration: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # sensor -> calibration version
    config_version: Mapped[int] = mapped_column(Integer, default=1)
    field: Mapped[Field | None] = relationship(back_populates="nodes")
    gateway: Mapped[Gateway | None] = relationship(back_populates="nodes")


class IngestedFrame(Base):
    """(node, counter) of every frame stored: the server's idempotency key for gateway retries."""

    __tablename__ = "ingested_frame"
    node_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    counter: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    gateway_id: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[int] = mapped_column(BigInteger)
