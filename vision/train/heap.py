"""Keep glibc from handing training memory back to the kernel after every step.

TensorFlow's Python-generator dataset (``model.fit`` on our batch stream) calls
``mallopt(M_TRIM_THRESHOLD, 128 KiB)`` when it starts ("Memory patch applied" in the
log). Setting any malloc threshold by hand also switches off glibc's dynamic mmap
threshold, so from then on every buffer over 128 KiB — each 192-px batch and most
activations — is a fresh ``mmap`` whose pages fault in again on every step. Measured
on 2 cores at batch 64, 192 px: 2.4 s of kernel time and ~980,000 page faults per
training step with the patch, 0.5–0.7 s and ~170,000–250,000 with the settings below;
CPU time per step 5.3 s → 3.2 s (docs/benchmarks-vision.md, *Training cost*). Only
where memory comes from changes, not the arithmetic: three training steps with and
without it gave bit-identical weights.
"""

from __future__ import annotations

import ctypes
import ctypes.util

# mallopt parameters, glibc <malloc.h>
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_MMAP_MAX = -4

MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest allowed value on 64-bit (HEAP_MAX_SIZE / 2)
TRIM_THRESHOLD = 1 << 30  # keep up to 1 GiB of freed heap for the next step


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        lib = ctypes.CDLL(name or "libc.so.6")
        return lib if hasattr(lib, "mallopt") else None
    except OSError:  # not glibc (macOS, musl): nothing to undo there
        return None


_LIBC = _libc()


def keep_freed_memory() -> bool:
    """Undo the generator dataset's trim setting; cheap, so it is safe to call every step.

    Returns False where the C library has no ``mallopt`` (the training then only runs slower).
    """
    if _LIBC is None:
        return False
    ok = _LIBC.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    ok = _LIBC.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1 and ok
    # No mmap at all for the rest: larger buffers come from the heap, which is kept.
    return _LIBC.mallopt(_M_MMAP_MAX, 0) == 1 and ok
