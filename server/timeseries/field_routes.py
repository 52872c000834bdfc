"""A field's readings: all of its nodes together, from the per-field hourly and daily rollups.

One series per field is what a field dashboard, a farm overview or a commune map reads: a year of
daily rows is 365 points from one series instead of 365 per node. Visibility is the policy's call.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from server.auth import current_user
from server.auth import policy as pol
from server.errors import problem
from server.openapi import doc
from server.registry.models import Field
from server.services import services
from server.timeseries.routes import QUERY, read_points

bp = Blueprint("field_series", __name__, url_prefix="/api/v1")


@bp.get("/fields/<int:field_id>/readings")
@doc(
    "A field's readings, all its nodes together (hourly or daily, picked from the range)",
    tag="series",
    query=QUERY | {"resolution": "string: auto | hour | day"},
)
def field_readings(field_id: int) -> Response | dict[str, Any]:
    with services().db.session() as session:
        field = session.get(Field, field_id)
        if field is None or not pol.can_view_field(session, current_user(), field):
            return problem(404, "No such field")
    channel, resolution, points = read_points(field_id, level="field")
    return {"field_id": field_id, "channel": channel, "resolution": resolution, "points": points}
