"""The gateway's CPython MIC fast path agrees exactly with the shared codec (seeded, deterministic)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from firmware.lib import framecodec as fc
from gateway.fastmic import MicVerifier

VECTORS: dict[str, Any] = json.loads((Path(__file__).parents[1] / "vectors" / "frames.json").read_text())


def random_frame(rng: random.Random) -> tuple[bytes, bytes]:
    key = rng.randbytes(rng.choice([16, 16, 32, 70]))
    readings: list[tuple[int, float | None, int]] = []
    for cid in rng.sample(sorted(fc.CHANNELS), rng.randint(0, 12)):
        if rng.random() < 0.2:
            readings.append((cid, None, rng.choice([1, 2, 3, 5, 6])))
        else:
            readings.append((cid, rng.uniform(-50, 700), fc.STATUS_OK))
    frame = fc.encode(
        key, rng.getrandbits(32), rng.getrandbits(32), rng.randint(0, 1 << 24), readings, rng.randint(0, 15)
    )
    return key, frame


def test_mic_matches_the_codec_for_random_keys_and_frames() -> None:
    rng = random.Random(4097)
    for _ in range(500):
        key, frame = random_frame(rng)
        verifier = MicVerifier(key)
        assert verifier.mic(frame[:-4]) == fc.mic(key, frame[:-4])
        assert verifier.verify(frame) and fc.verify(key, frame)
        bad = bytearray(frame)
        bad[rng.randrange(len(bad))] ^= 1 << rng.randrange(8)
        assert verifier.verify(bytes(bad)) is fc.verify(key, bytes(bad)) is False


@pytest.mark.parametrize("v", VECTORS["valid"] + VECTORS["invalid"], ids=lambda v: v["name"])
def test_vectors_verify_identically(v: dict[str, Any]) -> None:
    key, frame = bytes.fromhex(v["key"]), bytes.fromhex(v["frame"])
    assert MicVerifier(key).verify(frame) is fc.verify(key, frame)
