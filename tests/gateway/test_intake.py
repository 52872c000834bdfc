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


def test_oversized_and_truncated_frames_are_rejected_counted_and_never_stored(tmp_path: Path) -> None:
    p = processor(tmp_path)
    good = frame(1)
    oversized = good[:-4] + bytes(fc.MAX_FRAME_LEN) + good[-4:]
    results = p.process(
        [RawFrame(oversized, 1.0)]
        + [RawFrame(good[:cut], 1.0) for cut in range(len(good))]
        + [RawFrame(good + b"\x00", 1.0), RawFrame(good, 1.0)]
    )
    verdicts = [r.verdict for r in results]
    assert verdicts[0] is Verdict.OVERSIZED
    assert all(v in (Verdict.MALFORMED, Verdict.FORGED) for v in verdicts[1:-1])
    assert verdicts[-1] is Verdict.ACCEPTED
    state = p.state(7)
    assert state["oversized"] == 1
    assert p.malformed_frames == fc.MIN_FRAME_LEN  # too short to even name the node
    assert state["malformed"] + state["forged"] == len(good) + 1 - fc.MIN_FRAME_LEN
    assert p.outbox.depth() == 1 and [f.counter for f in p.outbox.oldest(10)] == [1]


def test_full_outbox_refuses_frames_without_ack_and_loses_nothing_acknowledged(tmp_path: Path) -> None:
    """A tiny bound (PRAGMA max_page_count) behaves like a full disk: NOT_DURABLE, no ack."""
    p = processor(tmp_path)
    p.outbox.set_max_bytes(p.outbox.usage().used_bytes + 8 * p.outbox.page_size)
    acked: list[int] = []
    refused_at = None
    for counter in range(1, 5000, 50):
        results = p.process([RawFrame(frame(c), 1000.0 + c) for c in range(counter, counter + 50)])
        acked += [r.counter for r in results if r.ack and r.counter is not None]
        if any(r.verdict is Verdict.NOT_DURABLE for r in results):
            assert not any(r.ack for r in results)  # the whole batch failed atomically
            refused_at = counter
            break
    assert refused_at is not None, "the bound was never reached"
    assert p.state(7)["not_durable"] == 50 and p.not_durable_batches == 1
    # The counter window did not move past what is stored: the refused frames are accepted later.
    assert p.last_counter(7) == acked[-1]
    stored = [f.counter for f in p.outbox.oldest(100_000)]
    assert stored == acked
    # The server confirms: trimming frees pages, and the node's resent frames now fit.
    p.outbox.confirm([f.seq for f in p.outbox.oldest(100_000)])
    again = p.process([RawFrame(frame(c), 9000.0) for c in range(refused_at, refused_at + 50)])
    assert all(r.verdict is Verdict.ACCEPTED for r in again)
    p.outbox.close()
    reopened = processor(tmp_path)
    assert reopened.last_counter(7) == refused_at + 49


def test_health_state_survives_restart_after_flush(tmp_path: Path) -> None:
    p = processor(tmp_path)
    p.process([RawFrame(frame(1), 1000.0), RawFrame(frame(5), 1300.0)])
    p.flush_states()
    p.outbox.close()
    again = processor(tmp_path)
    st = again.state(7)
    assert (st["accepted"], st["gaps"], st["faults"]) == (2, 3, ["air_temp"])


def test_late_frame_fills_its_gap_but_a_replay_never_stores_twice(tmp_path: Path) -> None:
    """Radio loss reorders frames: 5 lost, 6 stored, 5 resent -> stored, not taken for a replay."""
    p = processor(tmp_path)
    verdicts = [r.verdict for r in p.process([RawFrame(frame(c), 100.0) for c in (4, 6, 5, 5, 6)])]
    assert verdicts == [
        Verdict.ACCEPTED,
        Verdict.ACCEPTED,
        Verdict.ACCEPTED,
        Verdict.DUPLICATE,
        Verdict.DUPLICATE,
    ]
    assert p.state(7)["gaps"] == 0
    p.process([RawFrame(frame(2000), 200.0)])
    p.outbox.close()
    again = processor(tmp_path)  # the window survives a restart exactly
    results = again.process([RawFrame(frame(c), 300.0) for c in (1999, 2000, 1999, 6, 2001)])
    assert [r.verdict for r in results] == [
        Verdict.ACCEPTED,
        Verdict.DUPLICATE,
        Verdict.DUPLICATE,
        Verdict.DUPLICATE,  # more than WINDOW behind: too old to tell, so never stored again
        Verdict.ACCEPTED,
    ]
    stored = sorted(f.counter for f in again.outbox.oldest(100))
    assert stored == [4, 5, 6, 1999, 2000, 2001]


def test_a_failed_first_batch_leaves_no_trace_of_a_new_node(tmp_path: Path) -> None:
    p = processor(tmp_path)
    p.outbox.set_max_bytes(p.outbox.usage().used_bytes)  # not one more page: the disk is full
    first = [RawFrame(frame(c), 1.0) for c in range(1, 1001)]  # more than the few pages left
    assert {r.verdict for r in p.process(first)} == {Verdict.NOT_DURABLE}
    assert p.last_counter(7) is None
    p.outbox.set_max_bytes(1 << 20)  # space again (the server confirmed, an operator cleaned up)
    assert {r.verdict for r in p.process(first)} == {Verdict.ACCEPTED}


def test_a_refused_frame_stays_with_the_node_while_later_frames_are_acked(tmp_path: Path) -> None:
    """Acks name single frames (linkproto): a later frame's ack never covers a refused one."""
    p = processor(tmp_path)
    p.process([RawFrame(frame(c), 1.0) for c in range(1, 4)])
    p.outbox.set_max_bytes(p.outbox.usage().used_bytes)
    big = [RawFrame(frame(c), 2.0) for c in range(4, 1004)]
    assert {r.ack for r in p.process(big)} == {False}  # not durable: no ack, the node keeps them
    p.outbox.set_max_bytes(1 << 22)  # room again (the server came back and the outbox was trimmed)
    later = p.process([RawFrame(frame(1004), 3.0)])[0]
    assert later.verdict is Verdict.ACCEPTED and later.ack  # acks exactly 1004, nothing older
    resent = p.process([RawFrame(frame(c), 5.0) for c in range(4, 1005)])  # the node's next wake
    assert all(r.ack for r in resent)
    assert resent[-1].verdict is Verdict.DUPLICATE
    assert sorted(f.counter for f in p.outbox.oldest(10_000)) == list(range(1, 1005))


def test_a_frame_twice_in_a_batch_that_fails_to_commit_is_not_acked(tmp_path: Path) -> None:
    """The second copy was judged a duplicate of the first, which never became durable."""
    p = processor(tmp_path)
    p.process([RawFrame(frame(1), 1.0)])
    p.outbox.set_max_bytes(p.outbox.usage().used_bytes)
    results = p.process([RawFrame(frame(c), 2.0) for c in [*range(2, 1002), 2]])
    assert results[-1].verdict is Verdict.NOT_DURABLE and not any(r.ack for r in results)
    p.outbox.set_max_bytes(1 << 22)
    assert p.process([RawFrame(frame(2), 3.0)])[0].verdict is Verdict.ACCEPTED  # stored on resend
