"""A per-address token bucket for public, anonymous look-ups (lot codes), answered 429 + Retry-After.

Public lot pages needed no sign-in and had no limit: 665 look-ups a second let a script sweep a
harvest day's former 24-bit codes in about 7 h (issue 16, F10). Codes now carry 67 random bits;
this bucket makes each address pay for guesses as well. It lives in the worker's memory, not the
database: a look-up must stay a read (a database row per look-up would turn every scan of a QR
code into a write), and a bound per worker process is enough here, because the deployment's
nginx (deploy/nginx.conf, ``limit_req``) bounds the same paths across all workers.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, request

from server.errors import problem

F = TypeVar("F", bound=Callable[..., Any])
MAX_TRACKED = 10_000  # addresses remembered per worker; full buckets are forgotten first


class Throttle:
    """``burst`` look-ups at once, then ``rate_per_s``; ``wait(key)`` is None or the seconds to wait."""

    def __init__(self, burst: int, rate_per_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.rate, self.clock = float(burst), rate_per_s, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def wait(self, key: str) -> int | None:
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return max(1, math.ceil((1.0 - tokens) / self.rate))
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_TRACKED:
                self._forget(now)
            return None

    def _forget(self, now: float) -> None:
        """Drop the buckets that have refilled (they hold no state a fresh one would not)."""
        full = [k for k, (t, at) in self._buckets.items() if t + (now - at) * self.rate >= self.burst]
        for key in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]


def throttled(name: str, burst: int, rate_per_s: float) -> Callable[[F], F]:
    """Limit a public view per client address (``request.remote_addr``: nginx's client address
    when ``RUONGSO_PROXY_HOPS`` is set). Each app has its own buckets, named ``name``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            buckets = current_app.extensions.setdefault("throttles", {})
            throttle = buckets.get(name) or buckets.setdefault(name, Throttle(burst, rate_per_s))
            wait = throttle.wait(request.remote_addr or "?")
            if wait is not None:
                response = problem(429, "Too many look-ups", f"Try again in {wait} s.", retry_after_s=wait)
                response.headers["Retry-After"] = str(wait)
                return response
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
