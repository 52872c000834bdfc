"""Back-pressure for ingestion: a bounded number of batches in flight per worker, else 429.

A gateway told ``429`` + ``Retry-After`` keeps its frames in its durable outbox and retries with
backoff, so shedding load here loses nothing, while queueing would only grow latency and memory.
The bound is per worker process (``RUONGSO_INGEST_MAX_CONCURRENT``); total in-flight batches are
that times the number of gunicorn workers.

While a batch is processed the cyclic garbage collector is paused: a 5,000-frame batch allocates
tens of thousands of short-lived, acyclic objects (freed by reference counting anyway) whose
allocation count would otherwise trigger full collections over the whole app heap.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app

from server.errors import problem

F = TypeVar("F", bound=Callable[..., Any])
RETRY_AFTER_S = 2
_KEY = "ruongso.ingest_slots"


def _slots() -> threading.BoundedSemaphore:
    slots: threading.BoundedSemaphore | None = current_app.extensions.get(_KEY)
    if slots is None:
        limit = current_app.config["RUONGSO_SETTINGS"].ingest_max_concurrent
        slots = current_app.extensions.setdefault(_KEY, threading.BoundedSemaphore(max(1, limit)))
    return slots


def limit_concurrency(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        slots = _slots()
        if not slots.acquire(blocking=False):
            resp = problem(429, "Server busy", "Too many batches in flight; nothing was stored, retry later.")
            resp.headers["Retry-After"] = str(RETRY_AFTER_S)
            return resp
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            return view(*args, **kwargs)
        finally:
            if gc_was_enabled:
                gc.enable()
            slots.release()

    return wrapper  # type: ignore[return-value]
