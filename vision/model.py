"""Thin wrapper around the int8 TFLite classifier (LiteRT runtime, XNNPACK default).

Quantisation parameters are read from the model, never hard-coded.

The LiteRT runtime's C++ logger writes "INFO: Created TensorFlow Lite XNNPACK
delegate for CPU." straight to file descriptor 2 when tensors are allocated; the
Python API offers no switch for it.  ``farm diagnose`` output is read by people
and scripts, so file descriptor 2 is pointed at /dev/null for exactly that call
(``_quiet_native_stderr``); Python-level errors still raise normally.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

_FD_LOCK = threading.Lock()


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence native writes to fd 2 (not Python's ``sys.stderr`` object) for a moment."""
    with _FD_LOCK:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no usable fd 2 (embedded interpreter): nothing to hide
            yield
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)


# One photo's views run through one interpreter; two threads halve an invoke (192-px int8 on
# 2 AVX2 cores: 8.8 -> 4.5 ms, bench/vision_latency.py --threads 1 / 2), and the answers do not
# change: integer kernels give the same logits on any thread count (tests/vision/test_model.py).
DEFAULT_THREADS = 2


def default_threads() -> int:
    """Threads for one interpreter when the caller does not choose: two, or fewer cores."""
    return max(1, min(DEFAULT_THREADS, os.cpu_count() or 1))


def _interpreter(path: Path, num_threads: int | None) -> Any:
    if num_threads is None:
        num_threads = default_threads()
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:  # training venv: TensorFlow ships the same interpreter
        import tensorflow as tf

        Interpreter = tf.lite.Interpreter
    return Interpreter(model_path=str(path), num_threads=num_threads)


class TFLiteClassifier:
    """Maps BGR uint8 images (size x size x 3) to float logits."""

    def __init__(self, path: Path, num_threads: int | None = None) -> None:
        self.path = path
        with _quiet_native_stderr():
            self._it = _interpreter(path, num_threads)
        # One interpreter owns one set of tensors: serialise calls from server threads.
        self._lock = threading.Lock()
        with _quiet_native_stderr():
            self._it.allocate_tensors()
        inp = self._it.get_input_details()[0]
        out = self._it.get_output_details()[0]
        self._in_index = int(inp["index"])
        self._out_index = int(out["index"])
        self._in_dtype = np.dtype(inp["dtype"])
        self._in_scale, self._in_zero = (float(v) for v in inp["quantization"])
        self._out_scale, self._out_zero = (float(v) for v in out["quantization"])
        shape = tuple(int(v) for v in inp["shape"])
        self.input_size = shape[1]
        self.num_classes = int(out["shape"][-1])

    def _quantize(self, img: NDArray[np.uint8]) -> NDArray[Any]:
        x = img.astype(np.float32)[None]
        if self._in_dtype == np.float32:
            return x
        if self._in_scale == 0:
            return x.astype(self._in_dtype)
        info = np.iinfo(self._in_dtype)
        q = np.round(x / self._in_scale + self._in_zero)
        return np.clip(q, info.min, info.max).astype(self._in_dtype)

    def logits(self, img: NDArray[np.uint8]) -> NDArray[np.float64]:
        if img.shape != (self.input_size, self.input_size, 3):
            raise ValueError(f"expected {self.input_size}x{self.input_size}x3, got {img.shape}")
        q = self._quantize(img)
        with self._lock:
            self._it.set_tensor(self._in_index, q)
            self._it.invoke()
            out = np.array(self._it.get_tensor(self._out_index)[0])
        if self._out_scale == 0:
            return np.asarray(out, np.float64)
        return (out.astype(np.float64) - self._out_zero) * self._out_scale
