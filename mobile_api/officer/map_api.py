"""The officer's field map: GeoJSON of the fields and nodes farmers shared, aggregates for the rest."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import Any

from flask import Blueprint

from common.node_limits import verdict_of
from mobile_api.officer import access, filters
from server.farm.today import StoreReads
from server.officer import cases
from server.officer.fieldstatus import field_status
from server.openapi import doc
from server.registry.geo import area_units, centroid
from server.registry.models import Farm, Field, Node
from server.services import services
from server.timeseries.base import FrameRecord

bp = Blueprint("officer_map", __name__)


def _node_feature(n: Node, rec: FrameRecord | None, now: int) -> dict[str, Any] | None:
    lat, lon = (n.lat, n.lon) if n.lat is not None and n.lon is not None else (None, None)
    if lat is None or lon is None:
        return None
    age = now - rec.time_s if rec else None
    health = verdict_of(rec.time_s if rec else None, rec.values if rec else None, now)
    state = "new" if age is None else ("online" if health.online else "offline")
    props = {
        "id": n.id,
        "name": n.name,
        "kind": n.kind,
        "field_id": n.field_id,
        "state": state,
        "age_s": age,
        "battery": rec.values.get("battery") if rec else None,
        "health": health.as_json(),  # the common verdict (common.node_limits), as every screen
    }
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


def _field_feature(
    f: Field, farm: Farm, commune: str, status: dict[str, Any], dx: Counter[str]
) -> dict[str, Any]:
    props = {
        "id": f.id,
        "name": f.name,
        "crop": f.crop,
        "farm": farm.name,
        "owner": farm.owner_name,
        "commune": commune,
        "commune_id": farm.commune_id,
        "cooperative_id": farm.cooperative_id,
        "area": area_units(f.area_m2),
        "centroid": centroid(f.geometry),
        "nodes": len(f.nodes),
        "status": status,
        "diagnoses": {"confirmed": dx["confirmed"], "suspected": dx["suspected"]},
    }
    return {"type": "Feature", "geometry": f.geometry, "properties": props}


@bp.get("/api/v1/officer/map")
@access.officer_only
@doc(
    "Field polygons and node markers of the officer's communes, coloured by status",
    tag="officer",
    query={"crop": "string", "commune": "integer", "cooperative": "integer", "days": "integer"},
)
def field_map() -> dict[str, Any]:
    svc, now = services(), int(time.time())
    with svc.db.session() as db:
        s = access.scope(db)
        flt = filters.parse()
        shown = [
            (farm, fl) for farm in s.farms if flt.farm_ok(farm) for fl in farm.fields if flt.field_ok(fl)
        ]
        detail = [(farm, fl) for farm, fl in shown if s.detail(farm.id)]
        all_nodes = [n for _, fl in shown for n in fl.nodes]
        latest = svc.store.latest([n.id for n in all_nodes])
        found = cases.cases(db, {fl.id: fl for _, fl in shown}, flt.since, flt.until)
        per_field: dict[int, Counter[str]] = defaultdict(Counter)
        for c in found:
            per_field[c.field_id][c.status] += 1
        fields, nodes = [], []
        reads: dict[int, StoreReads] = {}  # per farm: its fields share a station and one latest read
        for farm, fl in detail:
            if farm.id not in reads:
                reads[farm.id] = StoreReads(svc.store)
                reads[farm.id].prefetch_farm(farm.fields)
            status = field_status(db, svc.store, fl, now, reads[farm.id]).as_json()
            fields.append(_field_feature(fl, farm, access.commune_name(s, farm), status, per_field[fl.id]))
            nodes += [f for n in fl.nodes if (f := _node_feature(n, latest.get(n.id), now)) is not None]
        communes: dict[str, dict[str, Any]] = {}
        for farm, fl in shown:
            a = communes.setdefault(
                access.commune_name(s, farm),
                {
                    "fields": 0,
                    "fields_shared": 0,
                    "area_ha": 0.0,
                    "crops": Counter(),
                    "nodes": 0,
                    "nodes_online": 0,
                    "cases_confirmed": 0,
                    "cases_suspected": 0,
                },
            )
            a["fields"] += 1
            a["fields_shared"] += int(s.detail(farm.id))
            a["area_ha"] = round(a["area_ha"] + fl.area_m2 / 10000, 3)
            a["crops"][fl.crop] += 1
            a["nodes"] += len(fl.nodes)
            a["nodes_online"] += sum(
                1
                for n in fl.nodes
                if n.id in latest and verdict_of(latest[n.id].time_s, latest[n.id].values, now).online
            )
            a["cases_confirmed"] += per_field[fl.id]["confirmed"]
            a["cases_suspected"] += per_field[fl.id]["suspected"]
        return {
            "time": now,
            "fields": {"type": "FeatureCollection", "features": fields},
            "nodes": {"type": "FeatureCollection", "features": nodes},
            "communes": [{"name": k, **v, "crops": dict(v["crops"])} for k, v in sorted(communes.items())],
            "filters": filters.options(s),
        }
