"""Intake rules on a real outbox file: verification, counter window, flags, durability."""

from __future__ import annotations

from pathlib import Path

from firmware.lib import framecodec as fc
from gateway.intake import FrameProcessor, RawFrame, Verdict
from gateway.keys import NodeKeys
from gateway.outbox import Outbox

KEY = bytes(range(16))
CH = fc.CHANNEL_IDS


def processor(tmp_path: Path) -> FrameProcessor:
    keys = NodeKeys(tmp_path / "keys.json")
    keys.update({"nodes": [{"node_id": 7, "key": KEY.hex(), "farm_id": 1, "field_id": 2}]})
    return FrameProcessor(Outbox(tmp_path / "outbox.sqlite"), keys)


def frame(counter: int, age: int = 0, vwc: float = 0.3, key: bytes = KEY, node: int = 7) -> bytes:
    return fc.encode(
        key, node, counter, age, [(CH["soil_vwc"], vwc, 0), (CH["air_temp"], None, fc.STATUS_TIMEOUT)]
    )


def test_accept_duplicate_forged_unknown_and_malformed(tmp_path: Path) -> None:
    p = processor(tmp_path)
    results = p.process(
        [
            RawFrame(frame(1), 1000.0),
            RawFrame(frame(1), 1001.0),  # the node missed our ack
            RawFrame(frame(2, key=b"x" * 16), 1002.0),
            RawFrame(frame(3, node=99), 1003.0),
            RawFrame(b"\x10\x00", 1004.0),
            RawFrame(frame(4), 1005.0, claimed_node=8),  # published on another node's topic
        ]
    )
    assert [r.verdict for r in results] == [
        Verdict.ACCEPTED,
        Verdict.DUPLICATE,
        Verdict.FORGED,
        Verdict.UNKNOWN_NODE,
        Verdict.MALFORMED,
        Verdict.FORGED,
    ]
    assert [r.ack for r in results] == [True, True, False, False, False, False]
    state = p.state(7)
    assert (state["accepted"], state["duplicates"], state["forged"]) == (1, 1, 2)
    assert p.outbox.depth() == 1


def test_sample_time_flags_and_restart(tmp_path: Path) -> None:
    p = processor(tmp_path)
    p.process([RawFrame(frame(5, age=600, vwc=0.9), 10_000.0)])
    stored = p.outbox.oldest(10)[0]
    assert stored.sampled_at == 10_000 - 600
    assert stored.quality == {"soil_vwc": 1, "air_temp": 4}  # out of range; sensor fault
    assert stored.values == {"soil_vwc": 0.9} and stored.statuses == {"air_temp": fc.STATUS_TIMEOUT}
    p.outbox.close()
    # A restarted gateway still refuses to store counter 5 again and counts the gap to 9.
    again = processor(tmp_path)
    assert [r.verdict for r in again.process([RawFrame(frame(5), 2.0e4), RawFrame(frame(9), 2.0e4)])] == [
        Verdict.DUPLICATE,
        Verdict.ACCEPTED,
    ]
    assert again.state(7)["gaps"] == 3


def test_forgeries_never_move_the_counter_window(tmp_path: Path) -> None:
    p = processor(tmp_path)
    p.process([RawFrame(frame(10), 1.0)])
    forged = bytearray(frame(0xFFFFFFF0))
    forged[-1] ^= 0xFF
    assert p.process([RawFrame(bytes(forged), 2.0)])[0].verdict is Verdict.FORGED
    assert p.process([RawFrame(frame(11), 3.0)])[0].verdict is Verdict.ACCEPTED
