"""JSON shapes of registry objects. Secrets (node keys, token hashes) never appear here."""

from __future__ import annotations

from typing import Any

from server.registry.geo import area_units, centroid
from server.registry.models import Farm, Field, Gateway, Node
from server.registry.plantings import Planting


def farm_view(farm: Farm) -> dict[str, Any]:
    return {
        "id": farm.id,
        "name": farm.name,
        "owner": farm.owner_name,
        "owner_id": farm.owner_id,
        "commune": farm.commune,
        "commune_id": farm.commune_id,
        "cooperative_id": farm.cooperative_id,
        "share_with_officers": farm.share_with_officers,
        "field_ids": [f.id for f in farm.fields],
    }


def field_view(field: Field, plantings: list[Planting] | None = None) -> dict[str, Any]:
    return {
        "id": field.id,
        "farm_id": field.farm_id,
        "name": field.name,
        "crop": field.crop,
        "area": area_units(field.area_m2),
        "centroid": centroid(field.geometry),
        "geometry": field.geometry,
        "growing_area_id": field.growing_area_id,
        "node_ids": [n.id for n in field.nodes],
        "plantings": [planting_view(p) for p in plantings or []],
    }


def planting_view(p: Planting) -> dict[str, Any]:
    def iso(d: Any) -> str | None:
        return d.isoformat() if d else None

    return {
        "id": p.id,
        "crop": p.crop,
        "variety": p.variety,
        "sown_on": iso(p.sown_on),
        "transplanted_on": iso(p.transplanted_on),
        "expected_harvest": iso(p.expected_harvest),
    }


def node_view(node: Node) -> dict[str, Any]:
    return {
        "id": node.id,
        "name": node.name,
        "kind": node.kind,
        "field_id": node.field_id,
        "gateway_id": node.gateway_id,
        "lat": node.lat,
        "lon": node.lon,
        "probe_depth_cm": node.probe_depth_cm,
        "sensors": node.sensors,
        "calibration": node.calibration,
        "config_version": node.config_version,
    }


def gateway_view(gw: Gateway) -> dict[str, Any]:
    return {"id": gw.id, "name": gw.name, "farm_id": gw.farm_id, "node_ids": [n.id for n in gw.nodes]}
