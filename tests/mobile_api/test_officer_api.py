"""Officer API on the real app (embedded store, seeded demo): privacy, map, outbreak, alerts,
review desk → farmer → training export, commune report, Leaflet route and tile settings."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.mobile_api.test_officer_support import (
    FARMER_1,
    OFFICER,
    OFFICER_TAM_DUONG,
    TECHNICIAN,
    login,
    make_app,
    upload_photo,
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_app(tmp_path_factory.mktemp("officer"))
    yield app
    app.extensions["ruongso"].store.close()


def test_map_shows_shared_farms_in_detail_and_others_as_counts(app: Flask) -> None:
    body = login(app, OFFICER).get("/api/v1/officer/map").get_json()
    farms = {f["properties"]["farm"] for f in body["fields"]["features"]}
    assert len(body["fields"]["features"]) == 6 and len(farms) == 2  # farms 1 and 2 consented
    assert all(f["geometry"]["type"] == "Polygon" for f in body["fields"]["features"])
    assert {"risk", "irrigation", "harvest_locked", "soil_vwc"} <= set(
        body["fields"]["features"][0]["properties"]["status"]
    )
    assert len(body["nodes"]["features"]) == 9
    communes = {c["name"]: c for c in body["communes"]}
    assert communes["xã Yên Lạc"]["fields"] == 2 and communes["xã Yên Lạc"]["fields_shared"] == 0
    assert communes["xã Yên Lạc"]["nodes_online"] == 3


def test_officer_sees_only_their_communes(app: Flask) -> None:
    client = login(app, OFFICER_TAM_DUONG)
    body = client.get("/api/v1/officer/map").get_json()
    assert {c["name"] for c in body["communes"]} == {"xã Tam Dương"}
    assert {f["properties"]["commune"] for f in body["fields"]["features"]} == {"xã Tam Dương"}
    assert [c["name"] for c in body["filters"]["communes"]] == ["xã Tam Dương"]
    report = client.get("/api/v1/officer/report").get_json()
    assert [r["commune"] for r in report["communes"]] == ["xã Tam Dương"]


def test_filters_by_crop_and_commune(app: Flask) -> None:
    client = login(app, OFFICER)
    rice = client.get("/api/v1/officer/map?crop=rice").get_json()
    assert {f["properties"]["crop"] for f in rice["fields"]["features"]} == {"rice"}
    commune = rice["filters"]["communes"][0]["value"]
    one = client.get(f"/api/v1/officer/map?commune={commune}").get_json()
    assert len(one["communes"]) == 1


def test_other_roles_are_refused(app: Flask) -> None:
    assert login(app, FARMER_1).get("/api/v1/officer/map").status_code == 403
    assert login(app, TECHNICIAN).get("/api/v1/officer/reviews").status_code == 403
    assert app.test_client().get("/api/v1/officer/map").status_code == 401


def test_review_correction_reaches_farmer_and_training_export(app: Flask) -> None:
    farmer, officer = login(app, FARMER_1), login(app, OFFICER)
    diag = upload_photo(farmer, 3, "review-test-0001")  # tomato field of farm 1
    assert diag["abstained"] and diag["review"]["status"] == "pending"
    queue = officer.get("/api/v1/officer/reviews").get_json()
    item = next(i for i in queue["items"] if i["id"] == diag["id"])
    assert item["field"]["crop"] == "tomato" and item["weather"]["node_id"] is not None
    photo = officer.get(item["photos"][0])
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    bad = officer.post(
        f"/api/v1/officer/reviews/{diag['id']}", json={"action": "correct", "label": "tomato__made_up"}
    )
    assert bad.status_code == 422
    ok = officer.post(
        f"/api/v1/officer/reviews/{diag['id']}",
        json={"action": "correct", "label": "tomato__late_blight", "note": "Phun thuốc theo hướng dẫn"},
    )
    assert ok.status_code == 200, ok.get_json()
    seen = farmer.get("/api/v1/app/fields/3/diagnoses").get_json()["diagnoses"]
    mine = next(d for d in seen if d["id"] == diag["id"])
    assert mine["review"]["status"] == "corrected" and mine["review"]["label"] == "tomato__late_blight"
    assert mine["review"]["note"] == "Phun thuốc theo hướng dẫn"
    rows = list(
        csv.DictReader(io.StringIO(officer.get("/api/v1/officer/training-export").get_data(as_text=True)))
    )
    assert {
        "image_sha256": diag["photos"][0].rsplit("/", 1)[-1],
        "label": "tomato__late_blight",
    }.items() <= rows[-1].items()
    assert diag["id"] not in [i["id"] for i in officer.get("/api/v1/officer/reviews").get_json()["items"]]
    outbreak = officer.get("/api/v1/officer/outbreak").get_json()
    assert outbreak["totals"].get("confirmed", 0) >= 1 and outbreak["cells"]


def test_ask_for_more_photos_needs_a_note(app: Flask) -> None:
    farmer, officer = login(app, FARMER_1), login(app, OFFICER)
    diag = upload_photo(farmer, 1, "review-test-0002")
    url = f"/api/v1/officer/reviews/{diag['id']}"
    assert officer.post(url, json={"action": "more_photos"}).status_code == 422
    assert officer.post(url, json={"action": "confirm"}).status_code == 422  # the model gave no label
    asked = officer.post(url, json={"action": "more_photos", "note": "Chụp mặt dưới lá"}).get_json()
    assert asked["status"] == "more_photos_requested" and asked["note"] == "Chụp mặt dưới lá"
    seen = farmer.get("/api/v1/app/fields/1/diagnoses").get_json()["diagnoses"]
    assert next(d for d in seen if d["id"] == diag["id"])["review"]["note"] == "Chụp mặt dưới lá"


def test_unshared_farm_diagnoses_are_counted_not_shown(app: Flask) -> None:
    farmer3 = login(app, {"phone": "0912000003", "password": "demo-nongdan-3"})
    diag = upload_photo(farmer3, 7, "review-test-0003")  # farm 3 does not share
    officer = login(app, OFFICER)
    queue = officer.get("/api/v1/officer/reviews").get_json()
    assert diag["id"] not in [i["id"] for i in queue["items"]] and queue["not_shared"] >= 1
    assert (
        officer.post(
            f"/api/v1/officer/reviews/{diag['id']}", json={"action": "more_photos", "note": "x"}
        ).status_code
        == 404
    )


def test_area_alert_reaches_farmers_in_the_circle(app: Flask) -> None:
    officer = login(app, OFFICER)
    field = officer.get("/api/v1/officer/map").get_json()["fields"]["features"][0]["properties"]
    lat, lon = field["centroid"]
    r = officer.post(
        "/api/v1/officer/alerts",
        json={
            "lat": lat,
            "lon": lon,
            "radius_m": 500,
            "kind": "late_blight",
            "message_vi": "Cảnh báo sương mai",
            "severity": "urgent",
        },
    )
    assert r.status_code == 201 and r.get_json()["fields_reached"] >= 1
    alerts = login(app, FARMER_1).get("/api/v1/alerts").get_json()["alerts"]
    assert alerts[0]["message"]["vi"] == "Cảnh báo sương mai" and field["id"] in alerts[0]["field_ids"]
    assert login(app, {"phone": "0912000002", "password": "demo-nongdan-2"}).get(
        "/api/v1/alerts"
    ).get_json() == {"alerts": []}
    assert officer.post("/api/v1/officer/alerts", json={"lat": lat, "lon": lon}).status_code == 422


def test_leaflet_route_and_no_tiles_by_default(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    client = app.test_client()
    assert client.get("/vendor/leaflet/leaflet.js").status_code == 200
    assert client.get("/vendor/leaflet/nothing.js").status_code == 404
    page = client.get("/officer/")
    assert (
        page.status_code == 200 and "img-src 'self' data: blob:;" in page.headers["Content-Security-Policy"]
    )
    officer = login(app, OFFICER)
    assert officer.get("/api/v1/officer/settings").get_json()["tiles"]["url"] == ""
    monkeypatch.setenv("RUONGSO_TILE_URL", "https://tiles.example.org/{z}/{x}/{y}.png")
    r = officer.get("/api/v1/officer/settings")
    assert r.get_json()["tiles"]["url"].startswith("https://tiles.example.org/")
    assert "https://tiles.example.org" in r.headers["Content-Security-Policy"]


def test_leaflet_missing_is_a_clear_404(app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from mobile_api.officer import pages

    monkeypatch.setattr(pages, "LEAFLET_DIST", tmp_path)
    r = app.test_client().get("/vendor/leaflet/leaflet.js")
    assert r.status_code == 404 and "npm ci" in r.get_json()["detail"]
