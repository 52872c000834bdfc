"""Registry tables. Node keys live here because the server hands them to the node's gateway."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.registry.geo import polygon_area_m2


class Cooperative(Base):
    __tablename__ = "cooperative"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(100))
    commune: Mapped[str] = mapped_column(String(100))
    old_district: Mapped[str | None] = mapped_column(String(100))  # pre-July-2025 label, optional
    farms: Mapped[list[Farm]] = relationship(back_populates="cooperative")


class Farm(Base):
    __tablename__ = "farm"
    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperative.id"))
    name: Mapped[str] = mapped_column(String(200))
    owner_name: Mapped[str] = mapped_column(String(200))
    commune: Mapped[str] = mapped_column(String(100))
    cooperative: Mapped[Cooperative | None] = relationship(back_populates="farms")
    fields: Mapped[list[Field]] = relationship(back_populates="farm", order_by="Field.id")


class Field(Base):
    __tablename__ = "field"
    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id"))
    name: Mapped[str] = mapped_column(String(200))
    crop: Mapped[str] = mapped_column(String(50))
    geometry_json: Mapped[str] = mapped_column(Text)
    area_m2: Mapped[float] = mapped_column(Float)
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


class Gateway(Base):
    __tablename__ = "gateway"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    farm_id: Mapped[int | None] = mapped_column(ForeignKey("farm.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the bearer token
    nodes: Mapped[list[Node]] = relationship(back_populates="gateway")


class Node(Base):
    __tablename__ = "node"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # the wire node id
    name: Mapped[str] = mapped_column(String(100))
    field_id: Mapped[int | None] = mapped_column(ForeignKey("field.id"))
    gateway_id: Mapped[int | None] = mapped_column(ForeignKey("gateway.id"))
    key_hex: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20), default="soil")  # soil | weather
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    probe_depth_cm: Mapped[int | None] = mapped_column(Integer)
    sensors: Mapped[list[str]] = mapped_column(JSON, default=list)
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
