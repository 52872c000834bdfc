"""Fuzz targets shared by the short in-suite runs and ``bench/fuzz_run.py``.

Run one under atheris (coverage-guided, libFuzzer options after the name)::

    python -m tests.fuzz.targets framecodec -atheris_runs=1000000 -timeout=5 -rss_limit_mb=2048

Each target feeds the bytes to a parser and accepts only the parser's documented errors; any other
exception, a hang (libFuzzer ``-timeout``) or runaway memory (``-rss_limit_mb``) is a finding.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable

TargetFn = Callable[[bytes], None]

# Findings reported but not fixed yet, as {target: exception types}, each with a strict-xfail
# regression test in tests/fuzz/test_regressions.py; tolerated here only so the fuzzer keeps
# searching past them. Empty: every finding so far is fixed (the regression tests pass).
KNOWN: dict[str, tuple[type[BaseException], ...]] = {}


def _known(name: str) -> tuple[type[BaseException], ...]:
    return KNOWN.get(name, ())


def framecodec(data: bytes) -> None:
    from firmware.lib import framecodec as fc

    key = bytes(range(16))
    fc.verify(key, data)
    try:
        v, flags, node, counter, age, readings = fc.decode(data)
    except fc.FrameError:
        return
    assert v == fc.VERSION and 0 <= flags <= 15 and 0 <= age <= fc.MAX_AGE_S
    assert len(readings) <= (len(data) - fc.MIN_FRAME_LEN) // 2
    again = fc.encode(key, node, counter, age, readings, flags)  # what decodes re-encodes
    assert fc.decode(again)[5] == readings


def serialframe(data: bytes) -> None:
    from firmware.lib import serialframe as sf

    dec = sf.Decoder()
    packets = dec.feed(data[: len(data) // 2]) + dec.feed(data[len(data) // 2 :])
    for mtype, payload in packets:
        assert 0 <= mtype <= 255
        assert sf.decode_packet(sf.encode(mtype, payload)[:-1]) == (mtype, payload)


def batch(data: bytes) -> None:
    from server.ingest.batch import BatchError, decompress, parse_frames

    for encoding in ("gzip", None):
        try:
            body = decompress(data, encoding)
        except BatchError:
            continue
        except _known("batch"):
            continue
        try:
            doc = json.loads(body)
        except (ValueError, RecursionError):
            continue
        with contextlib.suppress(BatchError):
            parse_frames(doc, now_s=1_764_000_000, max_frames=5000, max_skew_s=600)


def preprocess(data: bytes) -> None:
    from vision.preprocess import ImageError, decode

    try:
        out = decode(data)
    except ImageError:
        return
    except _known("preprocess"):
        return
    assert out.image.ndim == 3 and out.image.shape[2] == 3


TARGETS: dict[str, TargetFn] = {
    "framecodec": framecodec,
    "serialframe": serialframe,
    "batch": batch,
    "preprocess": preprocess,
}


def seeds(name: str) -> list[bytes]:
    """A few valid inputs so coverage starts from real structure."""
    import gzip
    import io

    from firmware.lib import framecodec as fc
    from firmware.lib import serialframe as sf

    key = bytes(range(16))
    if name == "framecodec":
        return [fc.encode(key, 4097, 1, 12, [(1, 0.3125, 0), (2, 24.5, 0), (4, None, 3)])]
    if name == "serialframe":
        return [sf.encode(1, b"hello") + sf.encode(2, bytes(range(40)))]
    if name == "batch":
        frame = {"node_id": 1, "counter": 2, "sampled_at": 1_763_999_000, "received_at": 1_763_999_001}
        doc = {"frames": [frame | {"values": {"soil_vwc": 0.3}, "statuses": {"air_rh": 3}}]}
        raw = json.dumps(doc).encode()
        return [raw, gzip.compress(raw)]
    if name == "preprocess":
        from PIL import Image

        out = []
        for fmt in ("JPEG", "PNG"):
            buf = io.BytesIO()
            Image.new("RGB", (40, 30), "green").save(buf, fmt)
            out.append(buf.getvalue())
        return out
    return []


MODULES = {  # what each target exercises: instrumented for coverage feedback
    "framecodec": ["firmware.lib.framecodec"],
    "serialframe": ["firmware.lib.serialframe"],
    "batch": ["server.ingest.batch"],
    "preprocess": ["vision.preprocess"],
}


def main(argv: list[str]) -> None:
    import importlib

    import atheris

    name = argv[1]
    packages = sorted({m.split(".")[0] for m in MODULES[name]})
    with atheris.instrument_imports(include=packages):
        for module in MODULES[name]:
            importlib.import_module(module)
    target = TARGETS[name]
    atheris.Setup([argv[0], *argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
