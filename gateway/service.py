"""The gateway coordinator: owns the outbox, keys, intake transports and uplink; one place for I/O."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from gateway.forwarder import Forwarder
from gateway.intake import FrameProcessor
from gateway.keys import NodeKeys
from gateway.outbox import Outbox

log = logging.getLogger("gateway")


@dataclass(frozen=True)
class GatewayConfig:
    data_dir: Path
    server_url: str
    token: str
    key_refresh_s: float = 300.0


class Gateway:
    def __init__(self, config: GatewayConfig) -> None:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.config = config
        self.outbox = Outbox(config.data_dir / "outbox.sqlite")
        self.keys = NodeKeys(config.data_dir / "node-keys.json")
        self.processor = FrameProcessor(self.outbox, self.keys)
        self.forwarder = Forwarder(self.outbox, config.server_url, config.token)
        self.stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def refresh_keys(self) -> bool:
        """Fetch node keys from the server; on failure keep verifying with the cached ones."""
        try:
            response = requests.get(
                self.config.server_url.rstrip("/") + "/api/v1/gateway/config",
                headers={"Authorization": f"Bearer {self.config.token}"},
                timeout=10,
            )
            response.raise_for_status()
            self.keys.update(response.json())
            return True
        except (requests.RequestException, ValueError) as exc:
            log.warning("key refresh failed, using %d cached keys: %s", len(self.keys), exc)
            return False

    def _key_loop(self) -> None:
        while not self.stop.wait(self.config.key_refresh_s):
            self.refresh_keys()

    def start(self, intakes: list[Callable[[threading.Event], None]]) -> None:
        self.refresh_keys()
        runners: list[Callable[[threading.Event], None]] = [self.forwarder.run, *intakes]
        for target in runners:
            thread = threading.Thread(target=target, args=(self.stop,), daemon=True)
            thread.start()
            self._threads.append(thread)
        key_thread = threading.Thread(target=self._key_loop, daemon=True)
        key_thread.start()
        self._threads.append(key_thread)

    def shutdown(self, timeout: float = 5.0) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self.outbox.close()

    def health(self) -> dict[str, Any]:
        stats = self.forwarder.stats
        nodes = {
            str(node_id): {k: v for k, v in self.processor.state(node_id).items() if k != "stuck"}
            for node_id in self.processor.nodes()
        }
        return {
            "time": int(time.time()),
            "queue_depth": self.outbox.depth(),
            "uploaded": stats.uploaded,
            "upload_failures": stats.failures,
            "last_upload": stats.last_success,
            "last_error": stats.last_error,
            "unknown_node_frames": self.processor.unknown_node_frames,
            "nodes": nodes,
        }

    def write_health(self) -> None:
        path = self.config.data_dir / "health.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.health(), indent=1))
        tmp.replace(path)
