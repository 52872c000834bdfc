"""The gateway's CPython fast paths agree exactly with the shared codec (seeded, deterministic)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from firmware.lib import framecodec as fc
from gateway import fastdecode
from gateway.fastmic import MicVerifier

VECTORS: dict[str, Any] = json.loads((Path(__file__).parents[1] / "vectors" / "frames.json").read_text())


def codec_decode(frame: bytes) -> tuple[int, int, int, int, dict[str, float], dict[str, int]] | None:
    try:
        _v, flags, node, counter, age, readings = fc.decode(frame)
    except fc.FrameError:
        return None
    values = {fc.CHANNELS[c][0]: v for c, v, s in readings if s == fc.STATUS_OK}
    statuses = {fc.CHANNELS[c][0]: s for c, v, s in readings if s != fc.STATUS_OK}
    return flags, node, counter, age, values, statuses


def fast_decode(frame: bytes) -> tuple[int, int, int, int, dict[str, float], dict[str, int]] | None:
    try:
        return fastdecode.decode(frame)
    except fc.FrameError:
        return None


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
def test_vectors_decode_identically(v: dict[str, Any]) -> None:
    frame = bytes.fromhex(v["frame"])
    assert fast_decode(frame) == codec_decode(frame)
    assert MicVerifier(bytes.fromhex(v["key"])).verify(frame) is fc.verify(bytes.fromhex(v["key"]), frame)


def test_random_and_corrupted_frames_decode_identically() -> None:
    rng = random.Random(20260)
    for _ in range(3000):
        _key, frame = random_frame(rng)
        mutated = bytearray(frame)
        choice = rng.random()
        if choice < 0.3:
            mutated = mutated[: rng.randrange(len(mutated) + 1)]
        elif choice < 0.7:
            for _ in range(rng.randint(1, 3)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        elif choice < 0.85:
            mutated += rng.randbytes(rng.randint(1, 80))
        assert fast_decode(bytes(mutated)) == codec_decode(bytes(mutated)), bytes(mutated).hex()
