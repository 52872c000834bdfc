"""A spray in the diary is judged by the act in force on the day it was applied (issue 17).

Glyphosate was removed from Vietnam's list with use allowed until 30/06/2021 (decision
1186/QĐ-BNN-BVTV, extended by Circular 06/2020/TT-BNNPTNT): a spray on 15/06/2021 was lawful that
day and carries no ban warning; the same spray on 15/07/2021 does — in the reply to the farmer who
records it and in the diary read back later, whatever today's date is."""

from __future__ import annotations

import uuid
from typing import Any

from tests.mobile_api.conftest import Client

RICE = 1


def _record(farmer: Client, day: str) -> dict[str, Any]:
    body = {
        "idempotency_key": uuid.uuid4().hex,
        "field_id": RICE,
        "kind": "spray",
        "product_name": "Thuốc cỏ glyphosate",
        "actives": ["glyphosate"],
        "phi_days": 7,
        "applied_on": day,
    }
    r = farmer.send("POST", "/api/v1/app/diary", json=body)
    assert r.status_code == 201, r.get_json()
    return dict(r.get_json()["entry"])


def _ban_codes(entry: dict[str, Any]) -> list[str]:
    return [w["code"] for w in entry["warnings"] if w["code"] == "banned_vn"]


def test_a_spray_before_the_ban_day_is_no_ban_warning_and_one_after_is(farmer: Client) -> None:
    before = _record(farmer, "2021-06-15")
    after = _record(farmer, "2021-07-15")
    assert _ban_codes(before) == []
    assert _ban_codes(after) == ["banned_vn"]
    ban = next(w for w in after["warnings"] if w["code"] == "banned_vn")
    assert ban["active"] == "glyphosate" and ban["decision"] == "1186/QĐ-BNN-BVTV"

    listed = farmer.get(f"/api/v1/app/fields/{RICE}/diary").get_json()["entries"]
    by_id = {e["id"]: e for e in listed}
    assert _ban_codes(by_id[before["id"]]) == []  # read back later, still judged by its own day
    assert _ban_codes(by_id[after["id"]]) == ["banned_vn"]


def test_the_last_allowed_day_is_lawful_and_the_next_day_is_not(farmer: Client) -> None:
    assert _ban_codes(_record(farmer, "2021-06-30")) == []
    assert _ban_codes(_record(farmer, "2021-07-01")) == ["banned_vn"]
