"""Latency of photo diagnosis on a 12 MP phone-size JPEG.

    python bench/vision_latency.py [--runs 30] [--threads N]

Compares the full ``Diagnoser.diagnose`` (header parse, reduced decode, EXIF,
quality gate, leaf crop, int8 inference over the calibrated views, calibration)
with a floor made of only the reduced decode + resize + one ``invoke``, and with a
naive full-size decode.  Also times ``diagnose`` with the whole-photo centre view
switched the other way, so the cost of that extra view is measured, not guessed.
Last, the model's views of one photo as single invokes against one batched invoke
(a second interpreter whose input is resized to N views), with a check that both
give the same logits: the measurement behind "batched views: tried, not adopted"
in docs/benchmarks-vision.md.  Prints p50/p90 in milliseconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import Meter, describe_machine, load_average, percentile, time_ms
from vision.diagnose import Diagnoser
from vision.model import default_threads
from vision.preprocess import model_input


def synthetic_photo(w: int = 4000, h: int = 3000) -> bytes:
    rng = np.random.default_rng(0)
    small = np.zeros((h // 8, w // 8, 3), np.uint8)
    small[:] = (40, 70, 110)
    cv2.ellipse(small, (w // 16, h // 16), (w // 30, h // 24), 25, 0, 360, (40, 150, 60), -1)
    for _ in range(25):
        c = (int(w // 16 + rng.integers(-80, 80)), int(h // 16 + rng.integers(-50, 50)))
        cv2.circle(small, c, int(rng.integers(2, 6)), (30, 60, 100), -1)
    img = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    img = np.clip(img.astype(np.int16) + rng.integers(-12, 12, img.shape, dtype=np.int16), 0, 255).astype(
        np.uint8
    )
    ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 88])
    assert ok
    return enc.tobytes()


def p50_p90(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """p50 and p90 wall ms, and mean CPU ms per call (all of this process's threads, the warm-up
    call included): on shared cores the CPU figure moves far less than the wall-clock."""
    with Meter() as m:
        samples = time_ms(fn, runs)
    return percentile(samples, 50), percentile(samples, 90), m.cpu_s / (runs + 1) * 1000


def singles_and_batch(
    path: Path, n_views: int, threads: int
) -> tuple[Callable[[], object], Callable[[], object], bool]:
    """Two raw interpreters over the model file, one per view and one batched; both get the same
    already-quantised input, so only the invokes differ.  Returns both calls and whether their
    logits are bit-identical."""
    from ai_edge_litert.interpreter import Interpreter

    single = Interpreter(model_path=str(path), num_threads=threads)
    single.allocate_tensors()
    batched = Interpreter(model_path=str(path), num_threads=threads)
    inp, out = single.get_input_details()[0], single.get_output_details()[0]
    batched.resize_tensor_input(inp["index"], [n_views, *inp["shape"][1:]])
    batched.allocate_tensors()
    info = np.iinfo(inp["dtype"])
    shape = (n_views, *inp["shape"][1:])
    views = np.random.default_rng(0).integers(info.min, info.max, shape, dtype=inp["dtype"], endpoint=True)

    def singles() -> list[object]:
        logits = []
        for v in views:
            single.set_tensor(inp["index"], v[None])
            single.invoke()
            logits.append(single.get_tensor(out["index"])[0].copy())
        return logits

    def batch() -> object:
        batched.set_tensor(inp["index"], views)
        batched.invoke()
        return batched.get_tensor(out["index"]).copy()

    return singles, batch, bool(np.array_equal(np.stack(singles()), batch()))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument(
        "--threads", type=int, default=None, help="LiteRT threads (default: the server's, vision.model)"
    )
    args = ap.parse_args()
    data = synthetic_photo()
    dx = Diagnoser.load(num_threads=args.threads)
    clf = dx.classifier
    size = clf.input_size
    buf = np.frombuffer(data, np.uint8)

    def floor() -> object:
        img = cv2.imdecode(buf, cv2.IMREAD_REDUCED_COLOR_8)
        assert img is not None
        return clf.logits(model_input(img, size))  # centre square, INTER_AREA resize

    def full_decode() -> object:
        return cv2.imdecode(buf, cv2.IMREAD_COLOR)

    def diagnose() -> object:
        return dx.diagnose(data)

    other = Diagnoser(
        clf, dx.labels, dataclasses.replace(dx.calibration, centre_view=not dx.calibration.centre_view)
    )

    x = np.zeros((size, size, 3), np.uint8)
    inv = p50_p90(lambda: clf.logits(x), args.runs)
    fl = p50_p90(floor, args.runs)
    fd = p50_p90(full_decode, max(5, args.runs // 3))
    dg = p50_p90(diagnose, args.runs)
    ot = p50_p90(lambda: other.diagnose(data), args.runs)
    n_views = dx.calibration.tta_views + int(dx.calibration.centre_view)
    singles, batch, identical = singles_and_batch(clf.path, n_views, args.threads or default_threads())
    sg = p50_p90(singles, args.runs)
    bt = p50_p90(batch, args.runs)
    d = dx.diagnose(data)
    print(f"machine: {describe_machine()}; {load_average()}")
    print(f"photo: 4000x3000 JPEG, {len(data) / 1e6:.2f} MB; answer: {d.reason} {d.label} {d.confidence:.2f}")
    print(f"{'step':38s} {'p50 ms':>8s} {'p90 ms':>8s} {'CPU ms':>8s}")
    print(f"{f'invoke only ({size}x{size} int8)':38s} {inv[0]:8.1f} {inv[1]:8.1f} {inv[2]:8.1f}")
    print(f"{'floor: 1/8 decode + resize + invoke':38s} {fl[0]:8.1f} {fl[1]:8.1f} {fl[2]:8.1f}")
    print(f"{'naive full-size decode alone':38s} {fd[0]:8.1f} {fd[1]:8.1f} {fd[2]:8.1f}")
    views = f"{dx.calibration.tta_views}{'+centre' if dx.calibration.centre_view else ''} views"
    print(f"{f'diagnose, shipped ({views})':38s} {dg[0]:8.1f} {dg[1]:8.1f} {dg[2]:8.1f}")
    alt = f"{'with' if other.calibration.centre_view else 'without'} centre view"
    print(f"{f'  same, {alt}':38s} {ot[0]:8.1f} {ot[1]:8.1f} {ot[2]:8.1f}")
    print(
        f"ratio diagnose/floor: {dg[0] / fl[0]:.2f}x by p50 wall-clock, "
        f"{dg[2] / fl[2]:.2f}x by CPU per call (goal <= 2x)"
    )
    print(f"{f'{n_views} views, one invoke each':38s} {sg[0]:8.1f} {sg[1]:8.1f} {sg[2]:8.1f}")
    print(f"{f'{n_views} views, one batched invoke':38s} {bt[0]:8.1f} {bt[1]:8.1f} {bt[2]:8.1f}")
    print(f"batched logits bit-identical to single invokes: {'yes' if identical else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
