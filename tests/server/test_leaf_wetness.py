"""Leaf wetness end to end: a node's leaf_wetness channel goes through ingestion and the store into
the hourly records, the field day (wet hours) and the disease models, and a measured wetness wins
over the RH-based estimate (server/advisory/wetness.py) in both directions."""

from __future__ import annotations

from datetime import date, timedelta

from common.timezone import local_midnight, local_today
from server import jobs
from server.advisory.disease.risk import assess_field
from server.farm import fielddata
from tests.server.conftest import ServerApp, js
from tests.server.test_ingest import post

RANK = {"none": 0, "low": 1, "unknown": 1, "moderate": 2, "high": 3}


def _day_of_frames(
    app: ServerApp, node: int, day: date, rh: float, wetness: float | None, first: int
) -> None:
    start = local_midnight(day)
    values = {"air_temp": 25.0, "air_rh": rh, "rain": 0.0, "wind_speed": 1.0}
    if wetness is not None:
        values["leaf_wetness"] = wetness
    frames = [
        {"node_id": node, "counter": first + h, "sampled_at": start + h * 3600 + 600,
         "received_at": start + h * 3600 + 600, "values": values}
        for h in range(24)
    ]  # fmt: skip
    assert js(post(app.app.test_client(), app.seeded.gateway_token, frames))["stored"] == 24


def _blast(app: ServerApp, node: int, day: date) -> tuple[str, str, float | None]:
    store = app.app.extensions["ruongso"].store
    points = fielddata.read_weather(
        store, node, local_midnight(day), local_midnight(day + timedelta(days=1)) - 1
    )
    records = fielddata.hourly_records(points)
    assert len(records) == 24
    risk = next(r for r in assess_field("1", "rice", records, day) if r.disease_key == "rice_blast")
    return risk.level.value, risk.details["wetness_source"], records[0].leaf_wetness_min


def test_measured_leaf_wetness_reaches_the_disease_models(server_app: ServerApp) -> None:
    node = next(n for n in server_app.seeded.nodes if n.kind == "weather")
    wet_day, dry_day, rh_day = (local_today() - timedelta(days=d) for d in (1, 2, 3))
    _day_of_frames(server_app, node.node_id, wet_day, rh=70.0, wetness=100.0, first=1)  # dry air, wet leaves
    _day_of_frames(
        server_app, node.node_id, dry_day, rh=98.0, wetness=0.0, first=101
    )  # humid air, dry leaves
    _day_of_frames(
        server_app, node.node_id, rh_day, rh=98.0, wetness=None, first=201
    )  # no sensor: RH decides
    wet, dry, estimated = (_blast(server_app, node.node_id, d) for d in (wet_day, dry_day, rh_day))
    assert (
        wet[1:] == ("sensor", 60.0) and dry[1:] == ("sensor", 0.0) and estimated[1:] == ("rh_estimate", None)
    )
    assert RANK[wet[0]] > RANK[dry[0]] and RANK[estimated[0]] > RANK[dry[0]]
    # the field day and the daily job count the sensor's wet hours, not the RH estimate's
    svc = server_app.app.extensions["ruongso"]
    days = {
        d: next(x for x in jobs.field_days(svc, d) if x.field_id == node.field_id) for d in (wet_day, dry_day)
    }
    assert (days[wet_day].leaf_wet_h, days[wet_day].wetness_source) == (24, "sensor")
    assert (days[dry_day].leaf_wet_h, days[dry_day].wetness_source) == (0, "sensor")
    stored = {v.name: v.value for v in jobs.daily_values(svc, wet_day) if v.field_id == node.field_id}
    assert stored["leaf_wet_h"] == 24
