"""One storage suite, two adapters: the real InfluxDB and the embedded store must behave the same."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from server.timeseries import open_store
from server.timeseries.base import DailyValue, FrameRecord, TimeSeriesStore
from server.timeseries.resolution import day_bucket, day_of, pick_resolution


@pytest.fixture(params=["embedded", "influx"])
def store(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[TimeSeriesStore]:
    url = "embedded" if request.param == "embedded" else request.getfixturevalue("influx_url")
    s = open_store(url, str(data_dir))
    yield s
    s.close()


def rollup(store: TimeSeriesStore, start: int, end: int) -> None:
    """The embedded store rolls up as it writes; InfluxDB needs its CQs or the one-off backfill."""
    backfill = getattr(store, "backfill", None)
    if backfill is not None:
        backfill(start, end)


def rec(node: int, t: int, counter: int, **values: float) -> FrameRecord:
    return FrameRecord(node, counter, t, farm_id=1, field_id=2, values=values)


BASE = day_bucket(int(time.time())) - 2 * 86400 + 5 * 3600  # 05:00 local, two days ago


def test_write_latest_series_and_idempotent_rewrite(store: TimeSeriesStore) -> None:
    records = [rec(7, BASE + i * 900, i, soil_vwc=0.1 * (i + 1)) for i in range(4)]
    store.write(records)
    store.write(records[-1:])  # a gateway retry: the same point again
    flagged = FrameRecord(7, 9, BASE + 4 * 900, 1, 2, {"soil_vwc": 0.9}, {"air_rh": 3}, {"soil_vwc": 1})
    store.write([flagged])
    assert store.latest([7, 8]) == {7: flagged}
    points = store.series(7, "soil_vwc", BASE, BASE + 3600)
    assert [round(p.value or 0, 3) for p in points] == [0.1, 0.2, 0.3, 0.4, 0.9]
    assert (points[-1].quality, store.series(7, "air_rh", BASE, BASE + 3600)[0].status) == (1, 3)
    many = store.series_many(7, ["soil_vwc", "air_rh", "rain"], BASE, BASE + 3600)
    assert many == {ch: store.series(7, ch, BASE, BASE + 3600) for ch in ("soil_vwc", "air_rh", "rain")}
    assert many["rain"] == [] and store.series_many(7, [], BASE, BASE + 3600) == {}


def test_hourly_and_daily_rollups_with_rain_sums(store: TimeSeriesStore) -> None:
    store.write([rec(7, BASE + i * 900, i, soil_vwc=0.1 * (i + 1), rain=0.2) for i in range(4)])
    store.write([rec(7, BASE + 3 * 3600, 10, soil_vwc=0.5, rain=1.0), rec(8, BASE, 1, soil_vwc=0.3)])
    rollup(store, BASE - 86400, BASE + 86400)
    hours = store.aggregate([7, 8], "soil_vwc", BASE - 3600, BASE + 86400, "hour")
    first = hours[7][0]
    assert (first.time_s, first.count, round(first.mean or 0, 4)) == (BASE, 4, 0.25)
    assert (first.min, first.max) == pytest.approx((0.1, 0.4))
    assert len(hours[7]) == 2 and len(hours[8]) == 1
    days = store.aggregate([7], "soil_vwc", BASE - 86400, BASE + 86400, "day")[7]
    assert [(d.time_s, d.count) for d in days] == [(day_bucket(BASE), 5)]  # bucket = local midnight
    assert days[0].mean == pytest.approx(0.3)
    rain = store.aggregate([7], "rain", BASE - 86400, BASE + 86400, "day")[7]
    assert rain[0].sum == pytest.approx(1.8)


def test_field_rollups_take_all_of_a_fields_nodes_together(store: TimeSeriesStore) -> None:
    def at(node: int, field: int, t: int, counter: int, **values: float) -> FrameRecord:
        return FrameRecord(node, counter, t, farm_id=1, field_id=field, values=values)

    store.write([at(7, 2, BASE + i * 900, i, soil_vwc=0.1 * (i + 1)) for i in range(4)])  # 0.1..0.4
    store.write([at(8, 2, BASE + 600, 1, soil_vwc=0.6, rain=0.5), at(8, 2, BASE + 3 * 3600, 2, soil_vwc=0.2)])
    store.write([at(9, 3, BASE, 1, soil_vwc=0.9)])  # another field: never mixed in
    rollup(store, BASE - 86400, BASE + 86400)
    hours = store.aggregate_fields([2, 3, 4], "soil_vwc", BASE - 3600, BASE + 86400, "hour")
    first = hours[2][0]
    assert (first.time_s, first.count) == (BASE, 5)  # four samples of node 7, one of node 8
    assert first.mean == pytest.approx(0.32) and (first.min, first.max) == pytest.approx((0.1, 0.6))
    assert [h.time_s for h in hours[2]] == [BASE, BASE + 3 * 3600] and hours[4] == []
    assert [(h.count, h.mean) for h in hours[3]] == [(1, pytest.approx(0.9))]
    days = store.aggregate_fields([2], "soil_vwc", BASE - 86400, BASE + 86400, "day")[2]
    assert [(d.time_s, d.count) for d in days] == [(day_bucket(BASE), 6)]
    assert days[0].mean == pytest.approx(1.8 / 6)  # count-weighted over every sample, not a mean of means
    assert store.aggregate_fields([2], "rain", BASE - 86400, BASE + 86400, "day")[2][0].sum == pytest.approx(
        0.5
    )


def test_both_stores_refuse_bad_read_arguments_alike(store: TimeSeriesStore) -> None:
    """Checked once for both adapters (base.RollupLevels, base.check_channels), not per store."""
    for read in (store.aggregate, store.aggregate_fields):
        with pytest.raises(ValueError, match="resolution"):
            read([7], "soil_vwc", BASE, BASE + 3600, "raw")
        with pytest.raises(ValueError, match="unknown channel"):
            read([7], 'x" OR 1=1', BASE, BASE + 3600, "hour")
        assert read([], "soil_vwc", BASE, BASE + 3600, "day") == {}
    with pytest.raises(ValueError, match="unknown channel"):
        store.series_many(7, ["soil_vwc", "nope"], BASE, BASE + 3600)


def test_agronomic_daily_values_are_a_series(store: TimeSeriesStore) -> None:
    day = day_of(BASE)
    store.write_daily(
        [DailyValue(3, day, "et0_mm", 3.4), DailyValue(3, day + timedelta(days=1), "et0_mm", 4.1)]
    )
    store.write_daily(
        [DailyValue(3, day, "et0_mm", 3.5), DailyValue(3, day, "gdd", 14.0)]
    )  # recompute: replace
    got = store.daily(3, "et0_mm", day - timedelta(days=1), day + timedelta(days=3))
    assert [(v.day, v.value) for v in got] == [(day, 3.5), (day + timedelta(days=1), 4.1)]
    assert [v.value for v in store.daily(3, "gdd", day, day)] == [14.0]


def test_retention_keeps_rollups_after_raw_is_gone(store: TimeSeriesStore) -> None:
    store.write([rec(7, BASE, 1, soil_vwc=0.2)])
    rollup(store, BASE - 3600, BASE + 3600)
    store.maintain(BASE + 200 * 86400)  # embedded: drops raw past retention; InfluxDB: ensures its RPs
    if hasattr(store, "query"):
        rps = {r[0]: r[1] for r in store.query("SHOW RETENTION POLICIES")[0]["series"][0]["values"]}
        assert rps["raw"] == "2160h0m0s" and rps["daily"] == "0s"
        cqs = str(store.query("SHOW CONTINUOUS QUERIES"))
        assert "cq_reading_1h" in cqs and "cq_reading_1d" in cqs
    else:
        assert store.series(7, "soil_vwc", BASE - 10, BASE + 10) == []
    assert store.aggregate([7], "soil_vwc", BASE - 3600, BASE + 3600, "hour")[7][0].count == 1


def test_resolution_follows_the_range() -> None:
    now = 1_800_000_000
    assert pick_resolution(now - 86400, now, now, 90) == "raw"
    assert pick_resolution(now - 30 * 86400, now, now, 90) == "hour"
    assert pick_resolution(now - 365 * 86400, now, now, 90) == "day"
    assert pick_resolution(now - 100 * 86400, now - 99 * 86400, now, 90) == "hour"  # raw already dropped
