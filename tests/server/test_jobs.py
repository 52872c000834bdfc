"""The daily job: a weather node's day of readings becomes the field's rain, GDD and ET0 series."""

from __future__ import annotations

from datetime import timedelta

from common.timezone import local_today
from server import jobs
from server.timeseries.resolution import local_midnight
from tests.server.conftest import ServerApp, js
from tests.server.test_ingest import post


def test_daily_values_from_a_weather_node(server_app: ServerApp) -> None:
    weather = next(n for n in server_app.seeded.nodes if n.kind == "weather")
    day = local_today() - timedelta(days=1)
    start = local_midnight(day)
    frames = [
        {"node_id": weather.node_id, "counter": h + 1, "sampled_at": start + h * 3600 + 60,
         "received_at": start + h * 3600 + 60,
         "values": {"air_temp": 22.0 + 10 * (6 <= h <= 15), "air_rh": 90.0 - 30 * (6 <= h <= 15),
                    "wind_speed": 1.5, "solar_radiation": 400.0 * (6 <= h <= 17), "rain": 0.5 * (h == 3)}}
        for h in range(24)
    ]  # fmt: skip
    assert js(post(server_app.app.test_client(), server_app.seeded.gateway_token, frames))["stored"] == 24
    values = {v.name: v.value for v in jobs.daily_values(server_app.app.extensions["ruongso"], day)}
    assert values["rain_mm"] == 0.5 and values["gdd"] == (22 + 32) / 2 - 10
    assert 2.0 < values["et0_mm"] < 7.0  # a warm, sunny northern-Vietnam day
    c = server_app.client("farmer1")
    got = js(c.get(f"/api/v1/fields/{weather.field_id}/daily?name=gdd&hours=72"))
    assert got["days"] == [{"day": day.isoformat(), "v": 17.0}]
    exported = c.get(f"/api/v1/fields/{weather.field_id}/daily?name=gdd&hours=72&format=csv")
    assert exported.mimetype == "text/csv"
    assert exported.get_data(as_text=True).splitlines()[1] == f"{weather.field_id},gdd,{day.isoformat()},17.0"


def test_maintain_expires_old_dedupe_keys(server_app: ServerApp) -> None:
    from sqlalchemy import func, select, update

    from server.registry.models import IngestedFrame

    node = server_app.seeded.nodes[0].node_id
    t = local_midnight(local_today())
    frames = [{"node_id": node, "counter": c, "sampled_at": t, "received_at": t} for c in (1, 2)]
    post(server_app.app.test_client(), server_app.seeded.gateway_token, frames)
    svc = server_app.app.extensions["ruongso"]
    with svc.db.session() as s:
        s.execute(update(IngestedFrame).where(IngestedFrame.counter == 1).values(received_at=0))
    jobs.maintain(svc)
    with svc.db.session() as s:
        assert s.scalar(select(func.count()).select_from(IngestedFrame)) == 1
