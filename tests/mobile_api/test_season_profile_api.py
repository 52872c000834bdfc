"""The season profile and season table through the API: refusals with a reason, the planting record
kept when the form leaves the date out, a paddy field's table (no FAO-56 depletion: blank)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from common.timezone import local_today
from server.registry.plantings import Planting
from tests.mobile_api.conftest import OFFICER, Client, login


def test_bad_profiles_are_refused_with_the_reason(farmer: Client) -> None:
    url = "/api/v1/app/fields/3/season-profile"
    far = (local_today() + timedelta(days=90)).isoformat()
    for body, reason in (
        ({"crop": "durian"}, "unknown crop"),
        ({"planting_date": far}, "at most 60 days ahead"),
        ({"soil_texture": "peat"}, "unknown soil_texture"),
        ({"irrigation_method": "sprinkler"}, "irrigation_method one of"),
        ({"pump_rate_m3h": "nhiều"}, "pump_rate_m3h must be a number"),
        ({"pump_rate_m3h": 1e9}, "pump_rate_m3h must be within"),
        ({"duration_days": -5}, "duration_days must be within"),
        ({"market": "MARS"}, "market one of"),
    ):
        r = farmer.send("PUT", url, json=body)
        # a body that does not match the documented types is refused by the request gate (400)
        assert r.status_code in (400, 422) and reason in r.get_json()["detail"], (body, r.get_json())
    assert farmer.send("PUT", "/api/v1/app/fields/999/season-profile", json={}).status_code == 404


def test_an_officer_cannot_change_the_season(app: Flask) -> None:
    officer = login(app, OFFICER)
    assert (
        officer.send("PUT", "/api/v1/app/fields/3/season-profile", json={"soil_texture": "loam"}).status_code
        == 403
    )


def test_leaving_the_date_out_keeps_the_planting_and_unknown_soil_is_said(app: Flask, farmer: Client) -> None:
    sown = local_today() - timedelta(days=30)
    assert farmer.send(
        "PUT", "/api/v1/app/fields/2/season", json={"crop": "maize", "planting_date": sown.isoformat()}
    ).status_code == 200
    r = farmer.send(
        "PUT",
        "/api/v1/app/fields/2/season-profile",
        json={"soil_texture": "unknown", "irrigation_method": "can"},
    )
    assert r.status_code == 200 and r.get_json()["season_profile"]["confirmed"] is True
    with app.extensions["ruongso"].db.session() as s:
        (p,) = s.scalars(select(Planting).where(Planting.field_id == 2)).all()
        assert (p.crop, p.sown_on) == ("maize", sown)
    today = farmer.get("/api/v1/app/fields/2").get_json()["today"]
    # "không biết": the default soil is assumed and said; the planting date is known, so not assumed
    assert today["assumptions"]["vi"].startswith("Giả sử đất thịt pha sét.")
    assert today["irrigation"]["plan"]["method"] == "can"


def test_season_tables_of_every_field_download(farmer: Client) -> None:
    for field_id in (1, 3):  # rice (paddy: blank depletion) and tomato
        r = farmer.get(f"/api/v1/app/fields/{field_id}/season-table?format=csv")
        assert r.status_code == 200 and r.mimetype == "text/csv"
        lines = r.data.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("Ngày;") and len(lines) >= 2
        r = farmer.get(f"/api/v1/app/fields/{field_id}/season-table?format=xlsx&lang=en")
        assert r.status_code == 200 and r.data[:2] == b"PK"
    assert farmer.get("/api/v1/app/fields/3/season-table?format=pdf").status_code == 422
    assert farmer.get("/api/v1/app/fields/3/season-table?lang=fr").status_code == 422
    assert farmer.get("/api/v1/app/fields/999/season-table").status_code == 404
