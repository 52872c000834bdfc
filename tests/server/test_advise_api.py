"""``POST /api/v1/app/advise/et0``: ET0 of a typed day, and a 400 with the reason for impossible weather.

The reasons are the domain's (``server.advisory.plausibility``), the same ``farm advise et0`` prints.
"""

from __future__ import annotations

import pytest

from tests.server.conftest import ServerApp, js

# FAO-56 Example 18 without the 10 m wind conversion: a real day that must give a number.
GOOD = {"date": "2026-07-06", "lat": 21.0, "elevation": 10, "tmax": 33.0, "tmin": 26.0, "rh_max": 95,
        "rh_min": 60, "wind": 1.5, "sunshine": 6.0}  # fmt: skip


def test_a_possible_day_gives_et0(server_app: ServerApp) -> None:
    r = server_app.client("farmer1").post("/api/v1/app/advise/et0", json=GOOD)
    assert r.status_code == 200, r.json
    body = js(r)
    assert body["date"] == "2026-07-06" and 0 < body["et0_mm"] < 10 and body["method"] == "fao56-pm"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"tmin": 34.0}, "Tmin 34 °C is above Tmax 33 °C"),
        ({"rh_max": 120}, "RHmax 120 % is above 100 %"),
        ({"wind": -2}, "wind speed -2 m/s is below 0 m/s"),
        ({"lat": 95}, "latitude 95 ° is above 90 °"),
        ({"date": "2026-12-21", "tmax": 24, "tmin": 14, "sunshine": None, "rs": 45}, "clear-sky maximum"),
    ],
)
def test_impossible_weather_is_a_400_with_the_reason(
    server_app: ServerApp, change: dict[str, object], reason: str
) -> None:
    r = server_app.client("farmer1").post("/api/v1/app/advise/et0", json={**GOOD, **change})
    assert r.status_code == 400
    body = js(r)
    assert reason in body["reason"] and body["reason"] == body["detail"]
    assert "et0_mm" not in body


def test_a_value_that_is_no_number_is_a_400(server_app: ServerApp) -> None:
    r = server_app.client("farmer1").post("/api/v1/app/advise/et0", json={**GOOD, "tmax": "hot"})
    assert r.status_code == 400 and r.mimetype == "application/problem+json"
    assert "tmax" in str(js(r))
