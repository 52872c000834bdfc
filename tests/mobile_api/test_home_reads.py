"""Home and field read the store once per farm (not once per field) and answer as field_today alone.

The reference is ``field_today`` on its own, field by field, which asks the store for each field's
nodes separately. A field's readings are its own nodes' (a station borrowed from another field
lends only its weather channels), whatever order the store answers in.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from server.farm import fielddata, locks
from server.farm.today import StoreReads, field_today
from server.registry.models import Farm, Field, Node
from server.services import Services
from server.timeseries.base import FrameRecord, TimeSeriesStore
from tests.mobile_api.conftest import login

MANAGER = {"phone": "0912000030", "password": "demo-quanly"}  # sees every farm of the cooperative


class CountingStore:
    """The app's store, counting the reads that cross it."""

    def __init__(self, store: TimeSeriesStore) -> None:
        self.store = store
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.store, name)
        if name in ("latest", "series", "series_many", "aggregate", "daily"):

            def counted(*args: Any, **kwargs: Any) -> Any:
                self.calls[name] = self.calls.get(name, 0) + 1
                return attr(*args, **kwargs)

            return counted
        return attr


def _reference(svc: Services, field_id: int, now: int) -> dict[str, Any]:
    """What the field's advice was before: field_today alone, fresh session, lazy relationships."""
    with svc.db.session() as db:
        f = db.get(Field, field_id)
        assert f is not None
        verdict = locks.field_verdict(db, f)
        today = field_today(svc.store, f, locks.profile(db, f.id), verdict.lock, now)
        today |= {"lot_gate": verdict.as_json()}
    result: dict[str, Any] = json.loads(json.dumps(today))
    return result


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> int:
    now = int(time.time())
    monkeypatch.setattr(time, "time", lambda: float(now))
    return now


def _tie_on_farm_1(svc: Services, now: int) -> tuple[int, int]:
    """The station (field 1) and a soil node of field 2 send a frame in the same second."""
    with svc.db.session() as db:
        station = db.scalars(
            select(Node).where(Node.kind == "weather").order_by(Node.field_id, Node.id)
        ).first()
        soil = db.scalars(select(Node).where(Node.field_id == 2).order_by(Node.id)).first()
        assert station is not None and soil is not None and station.field_id == 1
        frames = [
            FrameRecord(station.id, 10**6, now - 5, 1, 1, {"soil_vwc": 0.11, "battery": 3.9}),
            FrameRecord(soil.id, 10**6, now - 5, 1, 2, {"soil_vwc": 0.42, "battery": 3.9}),
        ]
    svc.store.write(frames)
    return station.id, soil.id


def test_home_and_field_answer_as_field_today_alone(app: Flask, frozen_now: int) -> None:
    svc: Services = app.extensions["ruongso"]
    _tie_on_farm_1(svc, frozen_now)
    manager = login(app, MANAGER)
    farms = manager.get("/api/v1/app/farms").get_json()["farms"]
    assert len(farms) == 3
    for farm in farms:
        home = manager.get(f"/api/v1/app/home?farm={farm['id']}").get_json()
        assert home["time"] == frozen_now
        assert [f["id"] for f in home["fields"]] == [f["id"] for f in farm["fields"]]
        for f in home["fields"]:
            expected = _reference(svc, f["id"], frozen_now)
            assert f["today"] == expected
            assert manager.get(f"/api/v1/app/fields/{f['id']}").get_json()["today"] == expected
    # field 2 borrows field 1's station for weather, but its soil moisture is its own node's, even
    # when the station's frame (with a soil probe of field 1) carries the same second
    home_1 = manager.get("/api/v1/app/home?farm=1").get_json()
    assert home_1["fields"][1]["id"] == 2
    assert home_1["fields"][1]["today"]["readings"]["soil_vwc"] == 0.42


def test_home_reads_the_store_once_per_farm(
    app: Flask, frozen_now: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc: Services = app.extensions["ruongso"]
    counting = CountingStore(svc.store)
    monkeypatch.setattr(svc, "store", counting)
    farmer = login(app, {"phone": "0912000001", "password": "demo-nongdan-1"})
    home = farmer.get("/api/v1/app/home").get_json()
    assert len(home["fields"]) == 3  # three fields sharing field 1's weather station
    # one latest for the farm's nodes, one read of the weather channels: not three of each
    assert counting.calls == {"latest": 1, "series_many": 1}


def test_weather_node_is_the_same_with_or_without_the_farm_loaded(app: Flask) -> None:
    svc: Services = app.extensions["ruongso"]
    with svc.db.session() as db:
        ids = list(db.scalars(select(Field.id).order_by(Field.id)))
    for field_id in ids:
        with svc.db.session() as db:  # the farm's tree loaded: walked in memory
            farm_id = db.get(Field, field_id).farm_id  # type: ignore[union-attr]
            farm = db.get(Farm, farm_id, options=[selectinload(Farm.fields).selectinload(Field.nodes)])
            assert farm is not None
            walked = next(n.id for f in farm.fields for n in f.nodes if n.kind == "weather")
            own = [n.id for f in farm.fields if f.id == field_id for n in f.nodes if n.kind == "weather"]
            expected = own[0] if own else walked
            loaded = fielddata.weather_node(next(f for f in farm.fields if f.id == field_id))
            reads = StoreReads(svc.store)
            reads.prefetch_farm(farm.fields)
            prefetched = reads.weather_node(next(f for f in farm.fields if f.id == field_id))
        with svc.db.session() as db:  # only the field: one query
            alone = fielddata.weather_node(db.get(Field, field_id))  # type: ignore[arg-type]
            alone_id = alone.id if alone else None
        assert loaded is not None and prefetched is not None
        assert loaded.id == prefetched.id == alone_id == expected


def test_field_readings_do_not_depend_on_the_store_answer_order() -> None:
    from server.farm.today import field_readings

    field = Field(id=2, nodes=[Node(id=21, kind="soil"), Node(id=22, kind="soil")])
    t = 1_790_000_000
    recs = {
        21: FrameRecord(21, 5, t, 1, 2, {"soil_vwc": 0.30}),
        22: FrameRecord(22, 9, t, 1, 2, {"soil_vwc": 0.35, "soil_temp": 26.0}),  # same second: tie
        7: FrameRecord(7, 3, t + 60, 1, 1, {"soil_vwc": 0.10, "air_temp": 31.5, "rain": 0.2}),  # station
    }
    forward = field_readings(field, recs, 7)
    backward = field_readings(field, dict(reversed(list(recs.items()))), 7)
    assert forward == backward == {"soil_vwc": 0.35, "soil_temp": 26.0, "air_temp": 31.5, "rain": 0.2}
    assert field_readings(field, {7: recs[7]}, 7) == {"air_temp": 31.5, "rain": 0.2}  # no soil lent
    assert field_readings(field, recs, None) == {"soil_vwc": 0.35, "soil_temp": 26.0}


def test_the_officer_map_reads_the_store_once_per_farm(
    app: Flask, frozen_now: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc: Services = app.extensions["ruongso"]
    officer = login(app, {"phone": "0912000010", "password": "demo-khuyennong"})
    before = officer.get("/api/v1/officer/map").get_json()
    counting = CountingStore(svc.store)
    monkeypatch.setattr(svc, "store", counting)
    after = officer.get("/api/v1/officer/map").get_json()
    assert after == before
    shown = {f["properties"]["farm"] for f in after["fields"]["features"]}
    assert len(after["fields"]["features"]) > len(shown) >= 2  # several fields per farm
    # the map's own latest for every node, then per farm: one latest, one read of its station
    assert counting.calls["latest"] == 1 + len(shown)
    assert counting.calls["series_many"] <= len(shown) and "series" not in counting.calls
