"""A per-process bound on concurrent password hashing.

Every password check runs argon2id with 64 MiB of memory, so memory grew with the number of
logins in flight (24 concurrent anonymous logins added 749 MB). At most
``login_max_concurrent_hashes`` checks run at once in each worker; a login that cannot get a slot
within ``login_hash_wait_ms`` is answered 429 + ``Retry-After`` rather than queued without bound.
The total is that times the number of gunicorn workers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

RETRY_AFTER_S = 1
_KEY = "ruongso.hash_slots"


def _slots() -> threading.BoundedSemaphore:
    slots: threading.BoundedSemaphore | None = current_app.extensions.get(_KEY)
    if slots is None:
        limit = current_app.config["RUONGSO_SETTINGS"].login_max_concurrent_hashes
        slots = current_app.extensions.setdefault(_KEY, threading.BoundedSemaphore(max(1, limit)))
    return slots


@contextmanager
def hash_slot() -> Iterator[bool]:
    """Yield True holding a hashing slot, or False if none came free within the configured wait."""
    slots = _slots()
    wait_s = max(0, current_app.config["RUONGSO_SETTINGS"].login_hash_wait_ms) / 1000
    if not slots.acquire(timeout=wait_s):
        yield False
        return
    try:
        yield True
    finally:
        slots.release()
