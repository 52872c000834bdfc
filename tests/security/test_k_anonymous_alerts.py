"""The officer's alert preview and outbreak view cannot single out a farm that does not share
(issue 16, F8): the attack was a 5 m alert circle on a field's centre answering "1 field reached".

Through the officer's HTTP API on the demo cooperative: a probe on a non-sharing field's centre must
read exactly like a probe on empty ground, while fields of sharing farms stay counted and named.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from sqlalchemy import select

from server.auth.models import User
from server.auth.passwords import normalise_phone
from server.auth.policy import visible_farm_ids
from server.farm.models import Diagnosis
from server.registry.geo import centroid
from server.registry.models import Farm, Field
from tests.mobile_api.conftest import OFFICER, login

PREVIEW = "/api/v1/officer/alerts/preview"


def officer_view(app: Flask) -> tuple[set[int], dict[int, Field]]:
    """(farm ids the officer may see in detail, every field by id)."""
    with app.extensions["ruongso"].db.session() as s:
        officer = s.scalar(select(User).where(User.phone == normalise_phone(OFFICER["phone"])))
        shared = visible_farm_ids(s, officer)
        fields = {f.id: f for f in s.scalars(select(Field))}
        for f in fields.values():
            _ = f.geometry, f.farm.commune_id  # loaded before the session closes
        s.expunge_all()
        return shared, fields


def probe(app: Flask, lat: float, lon: float, radius_m: float = 5.0) -> dict[str, Any]:
    r = login(app, OFFICER).send("POST", PREVIEW, json={"lat": lat, "lon": lon, "radius_m": radius_m})
    assert r.status_code == 200, r.get_json()
    body: dict[str, Any] = r.get_json()
    return body


def test_a_probe_on_a_non_sharing_field_reads_like_empty_ground(app: Flask) -> None:
    shared, fields = officer_view(app)
    hidden = next(f for f in fields.values() if f.farm_id not in shared and f.farm.commune_id is not None)
    lat, lon = centroid(hidden.geometry)
    on_field = probe(app, lat, lon)
    on_nothing = probe(app, lat + 0.05, lon + 0.05)  # about 5 km away: no field
    assert on_field == on_nothing
    assert (on_field["fields_reached"], on_field["people"], on_field["recipients"]) == (0, 0, [])
    assert on_field["fields_not_shared"] is None and on_field["people_not_shared"] is None
    assert on_field["farms_without_account"] is None and on_field["k_anonymity"] == 3


def test_sharing_farms_stay_counted_and_named(app: Flask) -> None:
    shared, fields = officer_view(app)
    mine = next(f for f in fields.values() if f.farm_id in shared)
    p = probe(app, *centroid(mine.geometry))
    assert p["fields_reached"] == 1 and p["people"] == 1
    assert [r["fields"] for r in p["recipients"]] == [[mine.id]]


def test_outbreak_counts_a_communes_hidden_cases_only_from_three_fields(app: Flask) -> None:
    shared, fields = officer_view(app)
    hidden = next(f for f in fields.values() if f.farm_id not in shared and f.farm.commune_id is not None)
    officer = login(app, OFFICER)
    now = int(time.time())
    db = app.extensions["ruongso"].db

    def sick(field_id: int, n: int) -> None:
        with db.session() as s:
            for i in range(n):
                s.add(Diagnosis(idempotency_key=f"k{field_id}-{i}-{now}", field_id=field_id, crop="rice",
                                photos=[], label="rice__brown_spot", confidence=0.9, abstained=False,
                                reason="ok", created_by="3", created_at=now - 60))  # fmt: skip
            s.commit()

    def not_shared() -> dict[str, int]:
        out: dict[str, int] = officer.get("/api/v1/officer/outbreak?days=2").get_json()[
            "not_shared_by_commune"
        ]
        return out

    before = not_shared()
    sick(hidden.id, 3)  # three photos of one field: still one field, still singled out
    assert not_shared() == before
    with db.session() as s:  # the same farm's other fields, and a third on it, fall sick too
        farm = s.get(Farm, hidden.farm_id)
        assert farm is not None
        others = [f.id for f in farm.fields if f.id != hidden.id]
        while len(others) < 2:
            extra = Field(farm_id=farm.id, name="Ruộng thêm", crop="rice", geometry_json=hidden.geometry_json,
                          area_m2=hidden.area_m2)  # fmt: skip
            s.add(extra)
            s.flush()
            others.append(extra.id)
        s.commit()
    for field_id in others[:2]:
        sick(field_id, 1)
    after = not_shared()
    assert sum(after.values()) == sum(before.values()) + 5  # now from three fields: counted, all five cases


def test_after_sending_the_delivery_counts_keep_a_non_sharing_farm_hidden(app: Flask) -> None:
    """The counts after sending (the reply, the list of sent alerts, the withdrawal) follow the
    preview's rule: an alert on a non-sharing field reads like one on empty ground, although the
    farmer there is warned."""
    shared, fields = officer_view(app)
    hidden = next(f for f in fields.values() if f.farm_id not in shared and f.farm.commune_id is not None)
    lat, lon = centroid(hidden.geometry)
    officer = login(app, OFFICER)

    def send(lat: float, lon: float) -> dict[str, Any]:
        body = {"lat": lat, "lon": lon, "radius_m": 5, "message_vi": "Thăm đồng"}
        r = officer.send("POST", "/api/v1/officer/alerts", json=body)
        assert r.status_code == 201, r.get_json()
        out: dict[str, Any] = r.get_json()
        return out

    on_field, on_nothing = send(lat, lon), send(lat + 0.05, lon + 0.05)
    assert on_field["delivery"] == on_nothing["delivery"] == {"people": 0, "read": 0, "channels": {}}
    listed = {a["id"]: a["delivery"] for a in officer.get("/api/v1/officer/alerts").get_json()["alerts"]}
    assert listed[on_field["id"]] == listed[on_nothing["id"]]
    withdrawn = officer.send("POST", f"/api/v1/officer/alerts/{on_field['id']}/withdraw").get_json()
    assert withdrawn["delivery"]["people"] == 0
    with app.extensions["ruongso"].db.session() as s:  # the farmer there was warned all the same
        from server.notify.models import InboxItem

        assert s.scalars(select(InboxItem).where(InboxItem.alert_id == on_field["id"])).first() is not None
