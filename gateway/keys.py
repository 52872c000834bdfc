"""Node keys and placement, fetched from the server and cached on disk for offline verification."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class NodeInfo:
    node_id: int
    key: bytes
    farm_id: int | None
    field_id: int | None


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

    def update(self, config: dict[str, Any]) -> None:
        """Replace the cache with the server's answer (atomically on disk: write then rename)."""
        self._apply(config)
        tmp = self.cache_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(config))
        tmp.chmod(0o600)
        os.replace(tmp, self.cache_path)

    def _apply(self, config: dict[str, Any]) -> None:
        self._nodes = {
            int(n["node_id"]): NodeInfo(
                int(n["node_id"]), bytes.fromhex(n["key"]), n.get("farm_id"), n.get("field_id")
            )
            for n in config.get("nodes", [])
        }
