"""Store-and-forward uplink: oldest frames first, gzip JSON batches, trimmed only on confirmation.

Why each rule:
- Oldest first and trim-after-confirm: the outbox is the only copy once a node has been acked, so a
  frame leaves it only when the server has answered that it stored it (or already had it).
- Idempotent: the server deduplicates by (node, counter), so a batch whose answer was lost in
  transit is simply sent again.
- Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"),
  capped, and the server's ``Retry-After`` honoured: a farm's gateways must not hammer a server
  that is recovering, and must not synchronise their retries after a shared outage.
- Batch size adapts (AIMD-like): up to the server's limit on a good link (a 24 h backlog of a
  200-node farm then uploads in seconds), halved after each network failure so a weak rural link
  still gets small batches through, doubled again after each success.
- A 400 answer means the batch itself is refused: it is halved until the one refused frame is
  isolated and moved to the dead-letter table, so one bad frame cannot block the queue forever.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import threading
import time
from dataclasses import dataclass

import requests

from gateway.outbox import Outbox

log = logging.getLogger("gateway.forwarder")

# After a run of failures the next try can be this far away (the cap of the full-jitter backoff),
# and one upload can hang this long on a connection the server side dropped. Together they bound
# how long a forwarder that is alive can go without trying.
MAX_BACKOFF_S = 60.0
UPLOAD_TIMEOUT_S = 30.0


class RetryLater(RuntimeError):
    """A failure worth retrying after ``delay_s`` (or the backoff, whichever is longer)."""

    def __init__(self, message: str, delay_s: float = 0.0) -> None:
        super().__init__(message)
        self.delay_s = delay_s


@dataclass
class ForwarderStats:
    uploaded: int = 0  # frames the server newly stored
    duplicates: int = 0  # frames the server already had (a lost answer, resent)
    confirmed: int = 0  # frames trimmed from the outbox
    dead_lettered: int = 0
    failures: int = 0
    consecutive_failures: int = 0
    last_success: float | None = None
    last_attempt: float | None = None
    last_error: str | None = None


def retry_after_s(value: str | None) -> float:
    try:
        return max(0.0, min(3600.0, float(value))) if value else 0.0
    except ValueError:
        return 0.0  # an HTTP-date: fall back to our own backoff


class Forwarder:
    """Uploads the outbox to the server; exponential backoff with full jitter on failure."""

    def __init__(
        self,
        outbox: Outbox,
        server_url: str,
        token: str,
        batch_size: int = 5000,  # the server's max_batch_frames
        min_batch: int = 100,
        max_backoff_s: float = MAX_BACKOFF_S,
        base_backoff_s: float = 0.5,
        timeout_s: float = UPLOAD_TIMEOUT_S,
        rng: random.Random | None = None,
    ) -> None:
        self.outbox = outbox
        self.url = server_url.rstrip("/") + "/api/v1/gateway/frames"
        self.batch_size = batch_size
        self.min_batch = min_batch
        self.max_backoff_s = max_backoff_s
        self.base_backoff_s = base_backoff_s
        self.timeout_s = timeout_s
        self.stats = ForwarderStats()
        self.wake = threading.Event()  # set by intake after a commit: upload without waiting
        self._rng = rng or random.Random()
        self._http = requests.Session()
        self._http.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
                "User-Agent": "ruongso-gateway",
            }
        )
        self._limit = batch_size  # shrinks to isolate a frame the server refuses as malformed

    def send_once(self) -> int:
        """Upload one batch. Returns frames trimmed (0: queue empty); raises ``RetryLater``."""
        frames = self.outbox.oldest(self._limit)
        if not frames:
            return 0
        body = gzip.compress(
            json.dumps({"frames": [f.to_wire() for f in frames]}, separators=(",", ":")).encode(),
            compresslevel=5,
        )
        self.stats.last_attempt = time.time()
        try:
            response = self._http.post(self.url, data=body, timeout=self.timeout_s)
        except requests.RequestException as exc:
            self._limit = max(min(self.min_batch, self.batch_size), len(frames) // 2)
            raise RetryLater(f"server unreachable: {type(exc).__name__}") from exc
        status = response.status_code
        if status in (400, 413):
            if len(frames) == 1 and status == 400:
                log.error(
                    "event=dead_letter node=%d counter=%d reason=%r",
                    frames[0].node_id,
                    frames[0].counter,
                    response.text[:200],
                )
                self.outbox.dead_letter(frames, response.text[:500], int(time.time()))
                self.stats.dead_lettered += 1
                self._limit = self.batch_size
                return 1
            self._limit = max(1, len(frames) // 2)
            log.warning(
                "event=batch_refused status=%d frames=%d retry_with=%d", status, len(frames), self._limit
            )
            return -1  # nothing trimmed; retry at once with the smaller batch
        if status in (429, 503):
            raise RetryLater(f"server busy ({status})", retry_after_s(response.headers.get("Retry-After")))
        if status in (401, 403):
            raise RetryLater(
                f"gateway token refused ({status}): check RUONGSO_GATEWAY_TOKEN", self.max_backoff_s
            )
        if status != 200:
            raise RetryLater(f"server answered {status}")
        try:
            result = response.json()
            rejected = {(int(r["node_id"]), int(r["counter"])) for r in result.get("rejected", [])}
            stored, duplicates = int(result.get("stored", 0)), int(result.get("duplicates", 0))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise RetryLater(f"unreadable server answer: {exc}") from exc
        refused = [f for f in frames if (f.node_id, f.counter) in rejected]
        if refused:
            log.error("event=dead_letter frames=%d reason=rejected_by_server", len(refused))
            self.outbox.dead_letter(refused, "rejected by server", int(time.time()))
            self.stats.dead_lettered += len(refused)
        confirmed = [f.seq for f in frames if (f.node_id, f.counter) not in rejected]
        self.outbox.confirm(confirmed)
        self.stats.uploaded += stored
        self.stats.duplicates += duplicates
        self.stats.confirmed += len(confirmed)
        self.stats.last_success = time.time()
        self._limit = min(self.batch_size, self._limit * 2)
        return len(frames)

    def backoff_s(self, attempt: int, floor_s: float = 0.0) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)], never below the server's ask."""
        ceiling = min(self.max_backoff_s, self.base_backoff_s * 2 ** min(attempt, 30))
        return max(floor_s, self._rng.uniform(0, ceiling))

    def drain(self, max_batches: int = 1_000_000) -> int:
        """Upload until the outbox is empty (tests, benchmarks); raises ``RetryLater`` on failure."""
        total = 0
        for _ in range(max_batches):
            sent = self.send_once()
            if sent == 0:
                break
            total += max(sent, 0)
        return total

    def run(self, stop: threading.Event, idle_s: float = 1.0) -> None:
        attempt = 0
        while not stop.is_set():
            try:
                sent = self.send_once()
                attempt = 0
                self.stats.consecutive_failures = 0
                if sent == 0:
                    self.wake.wait(idle_s)
                    self.wake.clear()
            except RetryLater as exc:
                attempt += 1
                self.stats.failures += 1
                self.stats.consecutive_failures += 1
                self.stats.last_error = str(exc)
                delay = self.backoff_s(attempt, exc.delay_s)
                log.warning(
                    "event=upload_failed error=%r attempt=%d retry_in_s=%.1f", str(exc), attempt, delay
                )
                stop.wait(delay)
            except Exception:  # never let the uplink thread die: the outbox keeps everything
                attempt += 1
                self.stats.failures += 1
                log.exception("event=forwarder_error")
                stop.wait(self.backoff_s(attempt))
