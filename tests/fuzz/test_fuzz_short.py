"""Short fuzzing in the normal test command: a coverage-guided atheris run per parser in a
subprocess (5,000 executions each, libFuzzer timeout and RSS limit), plus hypothesis properties.
The long run (up to 1 million executions each) is ``bench/fuzz_run.py``."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware.lib import framecodec as fc
from firmware.lib import serialframe as sf
from tests.fuzz import targets

ROOT = Path(__file__).resolve().parents[2]
RUNS = 5_000


def run_atheris(
    name: str, runs: int, workdir: Path, seed: int = 1, timeout_s: int = 240, max_seconds: int = 0
) -> str:
    corpus = workdir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(targets.seeds(name)):
        (corpus / f"seed{i}").write_bytes(data)
    args = [sys.executable, "-m", "tests.fuzz.targets", name, str(corpus), f"-atheris_runs={runs}"]
    args += [f"-seed={seed}", "-timeout=5", "-rss_limit_mb=2048", "-max_len=4096"]
    args += [f"-artifact_prefix={workdir}/", "-print_final_stats=1"]
    if max_seconds:  # stop after this long even if the runs are not done (bench only)
        args.append(f"-max_total_time={max_seconds}")
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    return out


@pytest.mark.parametrize("name", sorted(targets.TARGETS))
def test_atheris_short_run_finds_no_crash_hang_or_leak(name: str, tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    out = run_atheris(name, RUNS, tmp_path)
    assert f"Done {RUNS}" in out or "stat::number_of_executed_units" in out, out[-1000:]


channel = st.sampled_from(sorted(fc.CHANNELS))
reading = st.tuples(channel, st.one_of(st.none(), st.floats(-400, 70000, allow_nan=False)), st.integers(0, 6))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    node=st.integers(0, 0xFFFFFFFF),
    counter=st.integers(0, 0xFFFFFFFF),
    age=st.integers(0, 0x1FFFFFF),
    readings=st.lists(reading, max_size=20),
    flags=st.integers(0, 15),
    key=st.binary(min_size=16, max_size=16),
)
def test_frame_roundtrip_and_single_bit_flips_never_verify(
    node: int, counter: int, age: int, readings: list[tuple[int, float | None, int]], flags: int, key: bytes
) -> None:
    try:
        frame = fc.encode(key, node, counter, age, readings, flags)
    except fc.FrameError:
        return
    assert fc.verify(key, frame)
    _v, f, n, c, a, got = fc.decode(frame)
    assert (f, n, c, a) == (flags, node, counter, min(age, fc.MAX_AGE_S)) and len(got) == len(readings)
    for bit in range(0, len(frame) * 8, 7):
        bad = bytearray(frame)
        bad[bit // 8] ^= 1 << (bit % 8)
        assert not fc.verify(key, bytes(bad))


@settings(max_examples=300, deadline=None)
@given(packets=st.lists(st.tuples(st.integers(0, 255), st.binary(max_size=300)), max_size=8),
       noise=st.binary(max_size=64), cut=st.integers(1, 64))  # fmt: skip
def test_serial_deframer_is_chunking_invariant_and_survives_noise(
    packets: list[tuple[int, bytes]], noise: bytes, cut: int
) -> None:
    stream = b"\x00" + noise + b"\x00" + b"".join(sf.encode(t, p) for t, p in packets)
    one = sf.Decoder().feed(stream)
    dec = sf.Decoder()
    chunked = [p for i in range(0, len(stream), cut) for p in dec.feed(stream[i : i + cut])]
    assert one == chunked
    good = [(t, p) for t, p in packets if len(p) + 3 <= sf.MAX_PACKET]
    assert one[-len(good) :] == good if good else True


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8))
json_doc = st.recursive(
    json_leaf,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(doc=st.one_of(json_doc, st.fixed_dictionaries({"frames": st.lists(json_doc, max_size=4)})))
def test_batch_parser_only_ever_raises_batch_error(doc: object) -> None:
    from server.ingest.batch import BatchError, parse_frames

    with contextlib.suppress(BatchError):
        parse_frames(doc, now_s=1_764_000_000, max_frames=100, max_skew_s=600)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2048))
def test_targets_accept_arbitrary_bytes(data: bytes) -> None:
    for fn in targets.TARGETS.values():
        fn(data)
