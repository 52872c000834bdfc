"""Batch validation (pure): the inline fast path in ``parse_frames`` must accept exactly what the
field-by-field checks accept. The fast path restates their bounds, so this pins the two together at
every bound: a fast path that let one more value through would fail here."""

from __future__ import annotations

import math
from typing import Any

import pytest

from server.ingest import batch
from server.ingest.batch import BatchError, parse_frames

NOW, SKEW = 1_764_000_000, 600
GOOD = {"node_id": 5, "counter": 9, "sampled_at": NOW - 60, "received_at": NOW, "values": {"soil_vwc": 0.3}}
BOUNDS = {  # the named checks' bounds, per the field-by-field path
    "node_id": (0, batch.U32),
    "counter": (0, batch.U32),
    "sampled_at": (batch.OLDEST, NOW + SKEW),
    "received_at": (batch.OLDEST, NOW + SKEW),
}


def accepted(frame: dict[str, Any]) -> bool:
    try:
        parse_frames({"frames": [frame]}, NOW, 10, SKEW)
    except BatchError:
        return False
    return True


def named_checks_accept(frame: dict[str, Any]) -> bool:
    """The slow path's verdict on the four integer fields, asked of ``batch._int`` itself."""
    try:
        for key, (lo, hi) in BOUNDS.items():
            batch._int(frame, key, lo, hi)
    except BatchError:
        return False
    return True


@pytest.mark.parametrize("key", sorted(BOUNDS))
def test_fast_path_accepts_exactly_what_the_named_checks_accept(key: str) -> None:
    lo, hi = BOUNDS[key]
    for value in (
        lo - 1,
        lo,
        lo + 1,
        hi - 1,
        hi,
        hi + 1,
        -1,
        2**64,
        True,
        False,
        float(lo + 1),
        str(lo + 1),
        None,
    ):
        frame = GOOD | {key: value}
        assert accepted(frame) == named_checks_accept(frame), (key, value)
    missing = {k: v for k, v in GOOD.items() if k != key}
    assert not accepted(missing)


def test_values_fast_path_agrees_with_the_per_value_checks() -> None:
    def values(v: dict[str, Any]) -> dict[str, float] | None:
        try:
            return parse_frames({"frames": [GOOD | {"values": v}]}, NOW, 10, SKEW)[0].values
        except BatchError:
            return None

    assert values({"soil_vwc": 0.3, "air_temp": 24.5}) == {"soil_vwc": 0.3, "air_temp": 24.5}
    converted = values({"soil_vwc": 30, "air_temp": 24.5})
    assert converted == {"soil_vwc": 30.0, "air_temp": 24.5} and type(converted["soil_vwc"]) is float
    assert values({"soil_vwc": 1e308, "air_temp": 1e308}) == {
        "soil_vwc": 1e308,
        "air_temp": 1e308,
    }  # sum: inf
    assert values({}) == {}
    for bad in (math.nan, math.inf, -math.inf, True, None, "0.3"):
        assert values({"soil_vwc": 0.3, "air_temp": bad}) is None, bad
    assert values({"nope": 0.3}) is None
