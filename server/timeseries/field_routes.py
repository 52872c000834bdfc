"""A field's readings: all of its nodes together, from the per-field hourly and daily rollups.

One series per field is what a field dashboard, a farm overview or a commune map reads: a year of
daily rows is 365 points from one series instead of 365 per node. Visibility is the policy's call.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, request

from server.auth import current_user
from server.auth import policy as pol
from server.errors import problem
from server.openapi import doc
from server.pagination import BadQuery, time_range
from server.registry.models import Field
from server.services import services
from server.timeseries.base import CHANNEL_NAMES
from server.timeseries.resolution import pick_resolution

bp = Blueprint("field_series", __name__, url_prefix="/api/v1")


@bp.get("/fields/<int:field_id>/readings")
@doc(
    "A field's readings, all its nodes together (hourly or daily, picked from the range)",
    tag="series",
    query={
        "channel": "string: e.g. soil_vwc",
        "start": "integer: Unix seconds",
        "end": "integer: Unix seconds (default now)",
        "hours": "integer: instead of start",
        "resolution": "string: auto | hour | day",
    },
)
def field_readings(field_id: int) -> Response | dict[str, Any]:
    channel = request.args.get("channel", "soil_vwc")
    if channel not in CHANNEL_NAMES:
        raise BadQuery(f"channel must be one of {sorted(CHANNEL_NAMES)}")
    with services().db.session() as session:
        field = session.get(Field, field_id)
        if field is None or not pol.can_view_field(session, current_user(), field):
            return problem(404, "No such field")
    start, end = time_range()
    svc = services()
    resolution = request.args.get("resolution", "auto")
    if resolution == "auto":
        days = svc.settings.raw_retention_days if svc.settings else 90
        picked = pick_resolution(start, end, int(time.time()), days)
        resolution = "hour" if picked == "raw" else picked  # a field has no raw series of its own
    if resolution not in ("hour", "day"):
        raise BadQuery("resolution must be auto, hour or day")
    rows = svc.store.aggregate_fields([field_id], channel, start, end, resolution)[field_id]
    return {
        "field_id": field_id,
        "channel": channel,
        "resolution": resolution,
        "points": [
            {"t": p.time_s, "mean": p.mean, "min": p.min, "max": p.max, "n": p.count, "sum": p.sum}
            for p in rows
        ],
    }
