"""The training run keeps freed buffers for the next step instead of unmapping them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from vision.train import heap

# In a child process: the settings are process-wide and should not leak into other tests.
_PROBE = textwrap.dedent(
    """
    import ctypes, json
    import numpy as np
    from vision.train import heap

    class MallInfo2(ctypes.Structure):  # glibc >= 2.33
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    MiB = 1024 * 1024

    def cycle():
        buf = np.ones(8 * MiB)  # 64 MiB, like a 192-px batch of 64 and its activations
        mapped_while_alive = libc.mallinfo2().hblkhd
        del buf
        return {"mapped": mapped_while_alive / MiB, "kept_free": libc.mallinfo2().fordblks / MiB}

    libc.mallopt(-1, 128 * 1024)  # what TensorFlow's generator dataset sets
    patched = cycle()
    ok = heap.keep_freed_memory()
    kept = cycle()
    print(json.dumps({"patched": patched, "kept": kept, "ok": ok}))
    """
)


@pytest.mark.skipif(heap._LIBC is None or not sys.platform.startswith("linux"), reason="glibc only")
def test_freed_training_buffers_are_kept_for_the_next_step() -> None:
    probe = [sys.executable, "-c", _PROBE]
    out = subprocess.run(probe, capture_output=True, text=True, check=True, timeout=120)
    res = json.loads(out.stdout)
    assert res["ok"] is True
    # With the trim setting alone the buffer is its own mapping, unmapped (and faulted in
    # again) on every step; afterwards it comes from the heap, which keeps it when freed.
    assert res["patched"]["mapped"] >= 64 and res["patched"]["kept_free"] < 64
    assert res["kept"]["mapped"] < 1 and res["kept"]["kept_free"] >= 64
