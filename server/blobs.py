"""Photos and other blobs behind a tiny interface: content-addressed, so a retry stores nothing
twice and any worker (or machine, with a shared directory or object store) finds the same bytes.

``LocalBlobStore`` is the default (a directory, ``<data dir>/blobs``); an S3/MinIO adapter only
needs ``put``/``get``/``exists`` with the same sha256 keys. Across app hosts the directory is a
shared mount (NFS v4 or similar; ``docs/deployment.md``, multi-host): writes go to a temporary file
beside the target and are renamed into place, which is atomic on NFS within one directory, and a
read is checked against its key, so a torn or stale read of a shared file is never served.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

MAX_BLOB_BYTES = 20 * 1024 * 1024


class BlobStore(Protocol):
    def put(self, data: bytes) -> str: ...

    def get(self, key: str) -> bytes | None: ...

    def exists(self, key: str) -> bool: ...


class LocalBlobStore:
    """Files named by their sha256 under two levels of fan-out directories, written atomically."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError("blob keys are lowercase sha256 hex digests")
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        if len(data) > MAX_BLOB_BYTES:
            raise ValueError(f"blob larger than {MAX_BLOB_BYTES} bytes")
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)  # atomic: readers never see a half-written blob
        return key

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        # Content addressing makes the check free of any other state: bytes that do not hash to
        # their name (a partial copy on a shared mount) are as good as absent.
        return data if hashlib.sha256(data).hexdigest() == key else None

    def exists(self, key: str) -> bool:
        return self._path(key).exists()


def open_blob_store(root: str | Path) -> BlobStore:
    return LocalBlobStore(root)
