"""API conventions on the real app: OpenAPI from the code, explorer, ETags, pagination, CSV, audit."""

from __future__ import annotations

import csv
import io
import time

from server.registry.models import Field
from tests.server.conftest import ServerApp, js
from tests.server.test_ingest import frame, post


def test_openapi_lists_every_api_route_and_the_explorer_is_local(server_app: ServerApp) -> None:
    c = server_app.app.test_client()
    spec = js(c.get("/api/v1/openapi.json"))
    assert spec["openapi"].startswith("3.")
    for rule in server_app.app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            assert path in spec["paths"], path
    assert spec["paths"]["/api/v1/auth/login"]["post"]["security"] == []
    page = c.get("/api/docs").get_data(as_text=True)
    assert "openapi.json" in page and "http://" not in page and "https://" not in page  # no CDN


def test_etag_and_if_none_match(server_app: ServerApp) -> None:
    c = server_app.client("farmer1")
    first = c.get("/api/v1/farms/1")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache" and "Cookie" in first.headers["Vary"]
    again = c.get("/api/v1/farms/1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    c.patch("/api/v1/farms/1", json={"name": "Đổi tên"})
    assert c.get("/api/v1/farms/1", headers={"If-None-Match": etag}).status_code == 200


def test_pagination_and_bad_query_parameters(server_app: ServerApp) -> None:
    c = server_app.client("admin")
    page = js(c.get("/api/v1/farms?limit=2"))
    assert [f["id"] for f in page["items"]] == [1, 2] and page["paging"]["next_offset"] == 2
    rest = js(c.get("/api/v1/farms?limit=2&offset=2"))
    assert [f["id"] for f in rest["items"]] == [3, 4] and rest["paging"]["next_offset"] is None
    bad = c.get("/api/v1/farms?limit=0")
    assert bad.status_code == 400 and bad.content_type == "application/problem+json"


def test_readings_pick_a_resolution_and_export_csv(server_app: ServerApp) -> None:
    node = server_app.seeded.nodes[0].node_id
    post(
        server_app.app.test_client(), server_app.seeded.gateway_token, [frame(node, 1, values={"rain": 0.4})]
    )
    c = server_app.client("farmer1")
    raw = js(c.get(f"/api/v1/nodes/{node}/readings?channel=rain&hours=2"))
    assert raw["resolution"] == "raw" and [p["v"] for p in raw["points"]] == [0.4]
    month = js(c.get(f"/api/v1/nodes/{node}/readings?channel=rain&hours=720"))
    assert month["resolution"] == "hour" and month["points"][0]["sum"] == 0.4
    year = js(c.get(f"/api/v1/nodes/{node}/readings?channel=rain&hours=8760"))
    assert year["resolution"] == "day" and year["points"][0]["n"] == 1
    exported = c.get(f"/api/v1/nodes/{node}/readings.csv?channel=rain&hours=720")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert exported.mimetype == "text/csv" and rows[0][:4] == ["node_id", "channel", "resolution", "t"]
    assert rows[1][2] == "hour" and len(rows) == 2


def test_a_fields_readings_are_all_its_nodes_together(server_app: ServerApp) -> None:
    seeded = server_app.seeded.nodes
    field = seeded[0].field_id
    mates = [n.node_id for n in seeded if n.field_id == field]
    other = next(n.node_id for n in seeded if n.field_id != field)
    t = int(time.time()) - 600
    frames = [frame(n, 1, sampled_at=t, values={"soil_vwc": 0.2 + 0.1 * k}) for k, n in enumerate(mates)]
    post(server_app.app.test_client(), server_app.seeded.gateway_token, [*frames, frame(other, 1)])
    c = server_app.client("farmer1")
    day = js(c.get(f"/api/v1/fields/{field}/readings?channel=soil_vwc&hours=8760"))
    assert day["resolution"] == "day" and day["points"][0]["n"] == len(mates)
    expected = sum(0.2 + 0.1 * k for k in range(len(mates))) / len(mates)
    assert abs(day["points"][0]["mean"] - expected) < 1e-9
    hour = js(c.get(f"/api/v1/fields/{field}/readings?channel=soil_vwc&hours=2"))  # no raw per field
    assert hour["resolution"] == "hour" and hour["points"][0]["max"] == 0.2 + 0.1 * (len(mates) - 1)
    assert c.get(f"/api/v1/fields/{field}/readings?channel=nope").status_code == 400
    assert c.get(f"/api/v1/fields/{field}/readings?resolution=raw").status_code == 400


def test_registry_changes_are_audited_with_the_actor(any_app: ServerApp) -> None:
    farmer = any_app.client("farmer1")
    farmer.patch("/api/v1/farms/1", json={"share_with_officers": False})
    tech = any_app.client("technician")
    node = any_app.seeded.nodes[0].node_id
    assert tech.patch(f"/api/v1/nodes/{node}", json={"calibration": {"soil_vwc": "v2"}}).status_code == 200
    log = js(any_app.client("admin").get("/api/v1/audit?table=farm"))["items"]
    me = js(farmer.get("/api/v1/auth/me"))
    change = log[0]
    assert (change["action"], change["row"], change["actor_id"]) == ("update", "1", me["id"])
    assert change["changes"]["share_with_officers"] == [True, False]
    nodes = js(any_app.client("admin").get("/api/v1/audit?table=node"))["items"]
    assert (
        nodes[0]["changes"]["calibration"][1] == {"soil_vwc": "v2"} and "key_hex" not in nodes[0]["changes"]
    )
    seeded = js(any_app.client("admin").get("/api/v1/audit?table=app_user"))["items"]
    assert seeded and all("password_hash" not in e["changes"] for e in seeded)


def test_plantings_are_recorded_and_shown_on_the_field(server_app: ServerApp) -> None:
    c = server_app.client("farmer1")
    body = {
        "crop": "rice",
        "variety": "Bắc thơm 7",
        "transplanted_on": "2026-07-10",
        "expected_harvest": "2026-10-20",
    }
    made = c.post("/api/v1/fields/1/plantings", json=body)
    assert made.status_code == 201 and js(made)["variety"] == "Bắc thơm 7"
    assert js(c.get("/api/v1/fields/1"))["plantings"][0]["expected_harvest"] == "2026-10-20"
    backwards = c.post(
        "/api/v1/fields/1/plantings", json={"sown_on": "2026-07-10", "expected_harvest": "2026-07-01"}
    )
    assert backwards.status_code == 400


def test_fields_and_plantings_take_only_known_crops_and_a_legacy_one_does_not_break_home(
    server_app: ServerApp,
) -> None:
    c = server_app.client("farmer1")
    square = {
        "type": "Polygon",
        "coordinates": [[[105.5, 21.2], [105.501, 21.2], [105.501, 21.201], [105.5, 21.2]]],
    }
    before = len(js(c.get("/api/v1/app/home?farm=1"))["fields"])
    for crop in ("made-up", "", None):
        refused = c.post("/api/v1/farms/1/fields", json={"name": "x", "crop": crop, "geometry": square})
        assert refused.status_code == 400 and "known:" in js(refused)["detail"]
    bad_shape = c.post(
        "/api/v1/farms/1/fields", json={"name": "y", "crop": "rice", "geometry": {"type": "Nope"}}
    )
    assert bad_shape.status_code == 400
    assert len(js(c.get("/api/v1/app/home?farm=1"))["fields"]) == before  # nothing refused was stored
    made = c.post("/api/v1/farms/1/fields", json={"name": "Ruộng mới", "crop": "Lúa", "geometry": square})
    assert made.status_code == 201 and js(made)["crop"] == "rice"  # Vietnamese name -> the table's key
    assert c.post("/api/v1/fields/1/plantings", json={"crop": "made-up"}).status_code == 400
    assert js(c.post("/api/v1/fields/1/plantings", json={"crop": "cà chua"}))["crop"] == "tomato"
    with server_app.app.extensions["ruongso"].db.session() as session:  # written before crops were checked
        session.get(Field, js(made)["id"]).crop = "made-up"
    home = c.get("/api/v1/app/home?farm=1")
    assert home.status_code == 200
    legacy = next(f for f in js(home)["fields"] if f["id"] == js(made)["id"])
    assert legacy["today"]["irrigation"]["reason"] == "insufficient_data"
    assert "made-up" in legacy["today"]["irrigation"]["text"]["en"]
