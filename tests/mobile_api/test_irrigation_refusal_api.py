"""A field whose season names a crop the crop table does not know (recorded before crops were
checked): its screen still answers, and says why there is no watering advice in each language."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from common.timezone import local_today
from demo.people import FARMERS
from server.registry.plantings import Planting
from tests.mobile_api.seeding import seeded_app

TOMATO = 3  # the demo's "Vườn cà chua" (farm 1)


def test_an_unknown_crop_is_named_in_the_refusal_not_an_english_fragment(tmp_path: Path) -> None:
    app = seeded_app(tmp_path, history_days=0)
    with app.extensions["ruongso"].db.session() as s:
        for old in s.scalars(select(Planting).where(Planting.field_id == TOMATO)):
            s.delete(old)
        s.add(Planting(field_id=TOMATO, crop="sầu riêng", sown_on=local_today() - timedelta(days=60)))
    client = app.test_client()
    phone, password, _role = FARMERS[0]
    assert client.post("/api/v1/auth/login", json={"phone": phone, "password": password}).status_code == 200
    r = client.get(f"/api/v1/app/fields/{TOMATO}")
    assert r.status_code == 200
    text = r.get_json()["today"]["irrigation"]["text"]
    assert text["vi"] == "Không đủ dữ liệu để khuyến cáo tưới: cây “sầu riêng” chưa có trong bảng cây trồng."
    assert text["en"] == (
        "Not enough data for an irrigation advice: the crop “sầu riêng” is not in the crop table."
    )
    app.extensions["ruongso"].store.close()
