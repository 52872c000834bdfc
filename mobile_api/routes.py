"""Read API: latest readings per field (the demo overview) and one node's series."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from common import channels, timezone
from common.node_limits import verdict_of
from firmware.lib.framecodec import STATUS_NAMES
from server.auth import current_user, policy
from server.errors import problem
from server.openapi import doc
from server.pagination import id_arg
from server.registry.geo import area_units, centroid
from server.registry.models import Farm, Field, Node
from server.services import services
from server.timeseries.base import CHANNEL_NAMES, FrameRecord, SeriesPoint

MAX_SERIES_HOURS = 24 * 31

bp = Blueprint("routes", __name__)


def _node_view(node: Node, record: FrameRecord | None, now: int) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": node.id,
        "name": node.name,
        "kind": node.kind,
        "lat": node.lat,
        "lon": node.lon,
    }
    health = verdict_of(record.time_s if record else None, record.values if record else None, now)
    view["health"] = health.as_json()  # the common verdict (common.node_limits), as every screen
    if record is None:
        return view | {"state": "never_seen"}
    age = now - record.time_s
    faults = {ch: STATUS_NAMES.get(code, "fault") for ch, code in record.statuses.items()}
    state = "offline" if not health.online else ("sensor_fault" if faults else "online")
    return view | {
        "state": state,
        "time": record.time_s,
        "age_s": age,
        "values": record.values,
        "faults": faults,
        "quality": record.quality,
    }


@bp.get("/api/v1/overview")
@doc("Farms and fields the user may see, with each node's latest reading", tag="series")
def overview() -> dict[str, Any]:
    """Every farm and field with its nodes' latest readings, for the demo dashboard."""
    svc = services()
    now = int(time.time())
    with svc.db.session() as session:
        farms = session.scalars(
            select(Farm)
            .where(Farm.id.in_(policy.visible_farm_ids(session, current_user())))
            .options(selectinload(Farm.fields).selectinload(Field.nodes))
            .order_by(Farm.id)
        ).all()
        latest = svc.store.latest([n.id for f in farms for fl in f.fields for n in fl.nodes])
        return {
            "time": now,
            "farms": [
                {
                    "id": farm.id,
                    "name": farm.name,
                    "owner": farm.owner_name,
                    "commune": farm.commune,
                    "fields": [
                        {
                            "id": fl.id,
                            "name": fl.name,
                            "crop": fl.crop,
                            "area": area_units(fl.area_m2),
                            "centroid": centroid(fl.geometry),
                            "geometry": fl.geometry,
                            "nodes": [_node_view(n, latest.get(n.id), now) for n in fl.nodes],
                        }
                        for fl in farm.fields
                    ],
                }
                for farm in farms
            ],
        }


@bp.get("/api/v1/channels")
@doc("Channel catalogue (unit, range, aggregation, role, label key) and the farms' time zone", tag="series")
def channel_catalogue() -> dict[str, Any]:
    """What the charts need to draw any channel, from common.channels (never restated in JS)."""
    return {
        "channels": channels.catalogue_json(),
        "time_zone": {"iana": timezone.IANA_NAME, "utc_offset_s": timezone.UTC_OFFSET_S},
    }


@bp.get("/api/v1/nodes/<int:node_id>/series")
@doc(
    "One channel of one node over the last hours (raw points)",
    tag="series",
    query={"channel": "string: channel name, e.g. soil_vwc", "hours": "integer: 1-744"},
)
def node_series(node_id: int) -> Response | dict[str, Any]:
    channel = request.args.get("channel", "soil_vwc")
    if channel not in CHANNEL_NAMES:
        return problem(400, "Unknown channel", f"channel must be one of {sorted(CHANNEL_NAMES)}")
    try:
        hours = int(request.args.get("hours", "24"))
    except ValueError:
        return problem(400, "Invalid hours", "hours must be an integer")
    if not 1 <= hours <= MAX_SERIES_HOURS:
        return problem(400, "Invalid hours", f"hours must be between 1 and {MAX_SERIES_HOURS}")
    svc = services()
    with svc.db.session() as session:
        if session.get(Node, node_id) is None or not policy.can_view_node(session, current_user(), node_id):
            return problem(404, "Unknown node")
    end = int(time.time())
    points = svc.store.series(node_id, channel, end - hours * 3600, end)
    max_points = id_arg("points") or 0
    if max_points and len(points) > max_points:
        return {
            "node_id": node_id,
            "channel": channel,
            "points": _buckets(points, end - hours * 3600, end, max_points),
        }
    return {
        "node_id": node_id,
        "channel": channel,
        "points": [{"t": p.time_s, "v": p.value, "status": p.status, "q": p.quality} for p in points],
    }


def _buckets(points: list[SeriesPoint], start: int, end: int, n: int) -> list[dict[str, Any]]:
    """Mean of the good values per time bucket, so a phone draws a month in 120 points."""
    width = max(1, (end - start) // n)
    sums: dict[int, list[float]] = {}
    for p in points:
        if p.value is not None and not p.quality:
            sums.setdefault((p.time_s - start) // width, []).append(p.value)
    return [
        {"t": start + b * width + width // 2, "v": sum(v) / len(v), "status": 0, "q": 0}
        for b, v in sorted(sums.items())
    ]
