"""The content-addressed blob store: same bytes, same key, stored once; bad keys refused."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from server.blobs import LocalBlobStore


def test_put_get_is_content_addressed(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    key = store.put(b"leaf photo")
    assert key == hashlib.sha256(b"leaf photo").hexdigest()
    assert store.put(b"leaf photo") == key and store.get(key) == b"leaf photo" and store.exists(key)
    assert len(list((tmp_path / "blobs").rglob("*"))) == 3  # two fan-out directories and one file
    assert store.get("0" * 64) is None
    with pytest.raises(ValueError):
        store.get("../../etc/passwd")
