"""Store-and-forward uplink: oldest frames first, gzip JSON batches, trimmed only on confirmation."""

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


@dataclass
class ForwarderStats:
    uploaded: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    failures: int = 0
    last_success: float | None = None
    last_error: str | None = None


class Forwarder:
    """Uploads the outbox to the server; exponential backoff with full jitter on failure."""

    def __init__(
        self,
        outbox: Outbox,
        server_url: str,
        token: str,
        batch_size: int = 2000,
        max_backoff_s: float = 60.0,
    ) -> None:
        self.outbox = outbox
        self.url = server_url.rstrip("/") + "/api/v1/gateway/frames"
        self.batch_size = batch_size
        self.max_backoff_s = max_backoff_s
        self.stats = ForwarderStats()
        self._http = requests.Session()
        self._http.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
            }
        )
        self._limit = batch_size  # shrinks to isolate a frame the server refuses as malformed

    def send_once(self) -> int:
        """Upload one batch. Returns frames trimmed; raises on a retryable failure."""
        frames = self.outbox.oldest(self._limit)
        if not frames:
            return 0
        body = gzip.compress(json.dumps({"frames": [f.to_wire() for f in frames]}).encode(), compresslevel=5)
        response = self._http.post(self.url, data=body, timeout=30)
        if response.status_code == 400:
            if len(frames) == 1:
                self.outbox.dead_letter(frames, response.text[:500], int(time.time()))
                self.stats.dead_lettered += 1
                self._limit = self.batch_size
                return 1
            self._limit = max(1, len(frames) // 2)
            raise RuntimeError(f"server refused batch: {response.text[:200]}")
        if response.status_code != 200:
            raise RuntimeError(f"server answered {response.status_code}")
        result = response.json()
        rejected = {(r["node_id"], r["counter"]) for r in result.get("rejected", [])}
        refused = [f for f in frames if (f.node_id, f.counter) in rejected]
        if refused:
            self.outbox.dead_letter(refused, "rejected by server", int(time.time()))
            self.stats.dead_lettered += len(refused)
        self.outbox.confirm([f.seq for f in frames if (f.node_id, f.counter) not in rejected])
        self.stats.uploaded += int(result.get("stored", 0))
        self.stats.duplicates += int(result.get("duplicates", 0))
        self.stats.last_success = time.time()
        self._limit = min(self.batch_size, self._limit * 2)
        return len(frames)

    def run(self, stop: threading.Event, idle_s: float = 1.0) -> None:
        attempt = 0
        while not stop.is_set():
            try:
                sent = self.send_once()
                attempt = 0
                if not sent:
                    stop.wait(idle_s)
            except (requests.RequestException, RuntimeError, ValueError) as exc:
                attempt += 1
                self.stats.failures += 1
                self.stats.last_error = str(exc)
                delay = random.uniform(0, min(self.max_backoff_s, 0.5 * 2**attempt))  # full jitter
                log.warning("upload failed (%s); retry in %.1f s", exc, delay)
                stop.wait(delay)
