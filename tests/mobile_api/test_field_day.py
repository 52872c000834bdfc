"""One field-day service: the home screen's numbers for a field and a day are the ones the daily job
(``farm server daily``, the installed console script) stores for that field and day.

Before, the home screen computed ET0 from hourly means and the job from daily rollups, with
different latitude and elevation: two answers for the same field and day.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from common.timezone import local_today
from tests.mobile_api.conftest import FARMER_1, login

NAMES = ("et0_mm", "rain_mm", "gdd", "leaf_wet_h", "etc_mm")
FARM = Path(sys.executable).parent / "farm"


def _stored(farmer: Any, field_id: int, name: str) -> dict[str, float]:
    got = farmer.get(f"/api/v1/fields/{field_id}/daily?name={name}&hours=96").get_json()
    return {row["day"]: row["v"] for row in got["days"]}


def test_the_home_screen_shows_the_numbers_the_daily_job_stores(app: Flask, data_root: Path) -> None:
    farmer = login(app, FARMER_1)
    today = local_today()
    planted = today - timedelta(days=10)
    # the farmer records the season on the field screen: Kc and ETc then come from it
    r = farmer.send(
        "PUT", "/api/v1/app/fields/2/season", json={"crop": "maize", "planting_date": planted.isoformat()}
    )
    assert r.status_code == 200, r.get_json()
    home = farmer.get("/api/v1/app/home?farm=1").get_json()
    shown = {f["id"]: f["today"]["field_days"][0] for f in home["fields"]}
    yesterday = (today - timedelta(days=1)).isoformat()
    assert len(shown) == 3 and all(d["day"] == yesterday for d in shown.values())
    assert all(d["et0_mm"] is not None and d["hours"] >= 18 for d in shown.values())  # a whole day of history
    assert (shown[2]["stage"], shown[2]["kc"]) == ("initial", 0.3)  # FAO-56 Table 12 maize Kc ini
    assert shown[2]["etc_mm"] == round(0.3 * shown[2]["et0_mm"], 2)

    job = subprocess.run(
        [str(FARM), "server", "daily", "--data-dir", str(data_root), "--tsdb", "embedded", "--days", "2"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert job.returncode == 0, job.stderr
    for field_id, day in shown.items():
        for name in NAMES:
            stored = _stored(farmer, field_id, name).get(yesterday)
            assert stored == day[name], (field_id, name)
    assert _stored(farmer, 2, "etc_mm")[yesterday] == shown[2]["etc_mm"]  # the season reached the job too
