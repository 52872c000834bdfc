"""Readings at the resolution the range calls for, CSV export, and fields' agronomic daily series.

Visibility of a node or field is the policy's call (server/auth/policy.py), never this module's.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, request

from server.auth import current_user
from server.auth import policy as pol
from server.errors import problem
from server.openapi import doc
from server.pagination import BadQuery, time_range
from server.registry.models import Field
from server.services import services
from server.timeseries.base import CHANNEL_NAMES, DAILY_NAMES, RESOLUTIONS, ROLLUP_RESOLUTIONS
from server.timeseries.resolution import day_of, pick_resolution

bp = Blueprint("series", __name__, url_prefix="/api/v1")
QUERY = {
    "channel": "string: e.g. soil_vwc",
    "start": "integer: Unix seconds",
    "end": "integer: Unix seconds (default now)",
    "hours": "integer: instead of start",
    "resolution": "string: auto | raw | hour | day",
}


def read_points(ident: int, level: str = "node") -> tuple[str, str, list[dict[str, Any]]]:
    """(channel, resolution, points) of one node or one field (``level``) from the request's
    channel, range and resolution. A field has no raw series: where a node reads raw, it reads hourly.
    """
    channel = request.args.get("channel", "soil_vwc")
    if channel not in CHANNEL_NAMES:
        raise BadQuery(f"channel must be one of {sorted(CHANNEL_NAMES)}")
    start, end = time_range()
    svc = services()
    resolution = request.args.get("resolution", "auto")
    if resolution == "auto":
        days = svc.settings.raw_retention_days if svc.settings else 90
        resolution = pick_resolution(start, end, int(time.time()), days)
        if level == "field" and resolution == "raw":
            resolution = "hour"
    allowed = RESOLUTIONS if level == "node" else ROLLUP_RESOLUTIONS
    if resolution not in allowed:
        raise BadQuery(f"resolution must be auto, {', '.join(allowed)}")
    if resolution == "raw":
        raw = svc.store.series(ident, channel, start, end)
        return (
            channel,
            resolution,
            [{"t": p.time_s, "v": p.value, "status": p.status, "q": p.quality} for p in raw],
        )
    read = svc.store.aggregate if level == "node" else svc.store.aggregate_fields
    rows = [
        {"t": p.time_s, "mean": p.mean, "min": p.min, "max": p.max, "n": p.count, "sum": p.sum}
        for p in read([ident], channel, start, end, resolution)[ident]
    ]
    return channel, resolution, rows


def _visible_node(node_id: int) -> bool:
    with services().db.session() as session:
        return pol.can_view_node(session, current_user(), node_id)


@bp.get("/nodes/<int:node_id>/readings")
@doc("A node's readings; resolution picked from the range unless given", tag="series", query=QUERY)
def readings(node_id: int) -> Response | dict[str, Any]:
    if not _visible_node(node_id):
        return problem(404, "No such node")
    channel, resolution, points = read_points(node_id)
    return {"node_id": node_id, "channel": channel, "resolution": resolution, "points": points}


@bp.get("/nodes/<int:node_id>/readings.csv")
@doc("The same readings as CSV", tag="series", query=QUERY, produces="text/csv")
def readings_csv(node_id: int) -> Response:
    if not _visible_node(node_id):
        return problem(404, "No such node")
    channel, resolution, points = read_points(node_id)

    def rows() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        columns = list(points[0]) if points else ["t", "v"]
        writer.writerow(["node_id", "channel", "resolution", *columns])
        for p in points:
            writer.writerow([node_id, channel, resolution, *(p[c] for c in columns)])
            if buf.tell() > 64 * 1024:
                yield buf.getvalue()
                buf.seek(0), buf.truncate()
        yield buf.getvalue()

    name = f"node-{node_id}-{channel}-{resolution}.csv"
    return Response(
        rows(), mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={name}"}
    )


@bp.get("/fields/<int:field_id>/daily")
@doc(
    "A field's agronomic daily series (ET0, leaf wetness hours, GDD…)",
    tag="series",
    query={
        "name": "string: et0_mm | leaf_wet_h | gdd | rain_mm | etc_mm",
        "format": "string: json (default) or csv",
        "start": "integer: Unix s",
        "end": "integer: Unix s",
        "hours": "integer: instead of start",
    },
)
def field_daily(field_id: int) -> Response | dict[str, Any]:
    name = request.args.get("name", "et0_mm")
    if name not in DAILY_NAMES:
        return problem(400, "Unknown daily series", f"name must be one of {sorted(DAILY_NAMES)}")
    with services().db.session() as session:
        field = session.get(Field, field_id)
        if field is None or not pol.can_view_field(session, current_user(), field):
            return problem(404, "No such field")
    start, end = time_range(default_hours=24 * 30)
    values = services().store.daily(field_id, name, day_of(start), day_of(end))
    if request.args.get("format") == "csv":
        rows = "".join(f"{field_id},{name},{v.day.isoformat()},{v.value!r}\r\n" for v in values)
        disposition = f"attachment; filename=field-{field_id}-{name}.csv"
        return Response(
            "field_id,name,day,value\r\n" + rows,
            mimetype="text/csv",
            headers={"Content-Disposition": disposition},
        )
    return {
        "field_id": field_id,
        "name": name,
        "days": [{"day": v.day.isoformat(), "v": v.value} for v in values],
    }
