"""The shared codec under CPython: the same vectors the MicroPython test checks, plus an
independent MIC computed with the standard library's hmac module."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from firmware.lib import framecodec as fc

VECTORS: dict[str, Any] = json.loads((Path(__file__).parents[1] / "vectors" / "frames.json").read_text())


@pytest.mark.parametrize("v", VECTORS["valid"], ids=[v["name"] for v in VECTORS["valid"]])
def test_valid_vectors_encode_and_decode(v: dict[str, Any]) -> None:
    key = bytes.fromhex(v["key"])
    frame = fc.encode(
        key, v["node_id"], v["counter"], v["age_s"], [tuple(r) for r in v["readings"]], v["flags"]
    )
    assert frame.hex() == v["frame"]
    assert frame[-4:] == hmac.new(key, frame[:-4], hashlib.sha256).digest()[:4]
    version, flags, node, counter, age, readings = fc.decode(frame)
    assert (version, flags, node, counter, age) == (1, v["flags"], v["node_id"], v["counter"], v["age_s"])
    assert [list(r) for r in readings] == v["decoded"]


@pytest.mark.parametrize("v", VECTORS["invalid"], ids=[v["name"] for v in VECTORS["invalid"]])
def test_invalid_vectors_are_refused(v: dict[str, Any]) -> None:
    key, frame = bytes.fromhex(v["key"]), bytes.fromhex(v["frame"])
    if "verify" in v:
        assert fc.verify(key, frame) is v["verify"]
    if "error" in v:
        with pytest.raises(fc.FrameError, match=v["error"]):
            fc.decode(frame)


def test_full_reading_fits_the_40_byte_budget() -> None:
    assert len(bytes.fromhex(VECTORS["valid"][0]["frame"])) <= 40


def test_unrepresentable_value_becomes_out_of_range_status() -> None:
    frame = fc.encode(b"k" * 16, 1, 1, 0, [(fc.CHANNEL_IDS["soil_temp"], 400.0, fc.STATUS_OK)])
    assert fc.decode(frame)[5] == [(2, None, fc.STATUS_OUT_OF_RANGE)]


@pytest.mark.parametrize("cut", range(0, 37))
def test_every_truncation_is_rejected_cleanly(cut: int) -> None:
    frame = bytes.fromhex(VECTORS["valid"][0]["frame"])[:cut]
    assert not fc.verify(bytes(range(16)), frame)
    with pytest.raises(fc.FrameError):
        fc.decode(frame)
