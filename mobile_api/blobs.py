"""Content-addressed blob store on the local disk (photos): the name of a file is its SHA-256.

Used until the server core provides a shared blob store; the interface is the same two calls.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

HEX64 = re.compile(r"^[0-9a-f]{64}$")


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, digest: str) -> Path:
        if not HEX64.match(digest):
            raise ValueError("not a sha256 hex digest")
        return self.root / digest[:2] / digest[2:]

    def put(self, data: bytes) -> str:
        """Store ``data`` once (atomic rename) and return its SHA-256 hex digest."""
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        return digest

    def get(self, digest: str) -> bytes | None:
        try:
            return self._path(digest).read_bytes()
        except (ValueError, FileNotFoundError):
            return None
