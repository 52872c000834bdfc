"""The planned harvest on the season profile through the API: a day the farmer names wins over the
variety's duration, a day outside a variety's range is refused with the reason, and the forecast's
spray check reads the day that was saved (issue 17)."""

from __future__ import annotations

from datetime import timedelta

from common.timezone import local_today
from tests.mobile_api.conftest import Client

URL = "/api/v1/app/fields/3/season-profile"


def test_a_named_harvest_day_is_kept_and_the_forecast_checks_against_it(farmer: Client) -> None:
    sown = local_today() - timedelta(days=50)
    harvest = local_today() + timedelta(days=12)
    body = {"crop": "tomato", "planting_date": sown.isoformat(), "duration_days": 100,
            "expected_harvest": harvest.isoformat()}  # fmt: skip
    r = farmer.send("PUT", URL, json=body)
    assert r.status_code == 200, r.get_json()
    profile = r.get_json()["season_profile"]
    assert profile["expected_harvest"] == harvest.isoformat() and profile["duration_days"] == 62
    spray = farmer.get("/api/v1/fields/3/forecast").get_json()["spray"]
    assert spray["harvest_on"] == harvest.isoformat()
    # without a named day the duration decides, from the sowing date
    r = farmer.send("PUT", URL, json=body | {"expected_harvest": None, "duration_days": 95})
    assert r.get_json()["season_profile"]["expected_harvest"] == (sown + timedelta(days=95)).isoformat()


def test_a_harvest_day_out_of_range_is_refused_with_the_reason(farmer: Client) -> None:
    sown = local_today() - timedelta(days=50)
    for day, reason in (
        ("20/10/2026", "expected_harvest YYYY-MM-DD"),
        ((sown + timedelta(days=5)).isoformat(), "20-450 days after planting_date"),
        ((sown + timedelta(days=600)).isoformat(), "20-450 days after planting_date"),
    ):
        r = farmer.send("PUT", URL, json={"planting_date": sown.isoformat(), "expected_harvest": day})
        assert r.status_code in (400, 422) and reason in r.get_json()["detail"], (day, r.get_json())
    past = (local_today() - timedelta(days=1)).isoformat()
    r = farmer.send("PUT", URL, json={"expected_harvest": past})
    assert r.status_code == 422 and "between today and 450 days ahead" in r.get_json()["detail"]
