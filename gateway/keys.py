"""Node keys and placement, fetched from the server and cached on disk for offline verification."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.fastmic import MicVerifier


@dataclass(frozen=True)
class NodeInfo:
    node_id: int
    key: bytes
    farm_id: int | None
    field_id: int | None
    config_version: int | None = None
    # Prepared HMAC state for this key, built once so per-frame verification is two hash copies.
    verifier: MicVerifier = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verifier", MicVerifier(self.key))


class NodeKeys:
    def __init__(self, cache_path: Path) -> None:
        self.cache_path = cache_path
        self._nodes: dict[int, NodeInfo] = {}
        if cache_path.exists():
            self._apply(json.loads(cache_path.read_text()))

    def get(self, node_id: int) -> NodeInfo | None:
        return self._nodes.get(node_id)

    def __len__(self) -> int:
        return len(self._nodes)

    def all(self) -> dict[int, NodeInfo]:
        return dict(self._nodes)

    def key_map(self) -> dict[int, bytes]:
        """node id -> key, the input of the broker's password file and ACL."""
        return {n: info.key for n, info in self._nodes.items()}

    def update(self, config: dict[str, Any]) -> bool:
        """Replace the cache with the server's answer (atomically on disk: write then rename).

        Returns True when the set of node keys changed, so the caller can regenerate the broker's
        credentials only when it must.
        """
        before = self.key_map()
        self._apply(config)
        tmp = self.cache_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(config))
        tmp.chmod(0o600)
        os.replace(tmp, self.cache_path)
        return self.key_map() != before

    def _apply(self, config: dict[str, Any]) -> None:
        self._nodes = {
            int(n["node_id"]): NodeInfo(
                int(n["node_id"]),
                bytes.fromhex(n["key"]),
                n.get("farm_id"),
                n.get("field_id"),
                n.get("config_version"),
            )
            for n in config.get("nodes", [])
        }
