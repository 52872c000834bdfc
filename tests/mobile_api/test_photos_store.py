"""One photo store: uploads go to the configured blob directory; photos kept in the app's former
layout (``<data_dir>/blobs/ab/cdef...``) stay readable for farmer and officer and are copied over."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from demo.seed import seed
from ruongso.app import create_app
from server.config import Settings
from server.farm.diagnosis import EXTENSION
from server.farm.models import Diagnosis
from tests.mobile_api.test_officer_support import FARMER_1, OFFICER, login


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Path, Path]]:
    data_dir, blob_dir = tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("photos")
    settings = Settings.from_env(
        data_dir=data_dir, tsdb_url="embedded", secret_key="t", blob_dir=str(blob_dir)
    )
    app = create_app(settings)
    seed(app.extensions["ruongso"].db)
    app.extensions[EXTENSION] = None  # no classifier: the photo waits for an officer
    yield app, data_dir, blob_dir
    app.extensions["ruongso"].store.close()


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_uploads_go_to_the_configured_blob_directory(stores: tuple[Flask, Path, Path]) -> None:
    app, data_dir, blob_dir = stores
    farmer = login(app, FARMER_1)
    r = farmer.post(
        "/api/v1/app/photos",
        data={
            "field_id": "1",
            "idempotency_key": "store-0001",
            "photos": (io.BytesIO(jpeg("#2e7d32")), "a.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()
    digest = r.get_json()["photos"][0].rsplit("/", 1)[-1]
    assert [p.name for p in files(blob_dir)] == [digest]
    assert files(data_dir / "blobs") == []  # not the hard-coded data directory
    assert farmer.get(r.get_json()["photos"][0]).status_code == 200


def test_a_photo_in_the_former_layout_stays_readable_and_is_copied_over(
    stores: tuple[Flask, Path, Path],
) -> None:
    app, data_dir, blob_dir = stores
    old = jpeg("#795548")
    digest = hashlib.sha256(old).hexdigest()
    legacy = data_dir / "blobs" / digest[:2] / digest[2:]
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(old)
    with app.extensions["ruongso"].db.session() as db:
        d = Diagnosis(
            idempotency_key="store-legacy-1", field_id=1, crop="rice", photos=[digest], label=None,
            reason="low_confidence", message_key="low_confidence", message_params={"crop": "rice"},
            result={}, review_status="pending", created_at=1,
        )  # fmt: skip
        db.add(d)
    assert not any(p.name == digest for p in files(blob_dir))
    assert login(app, FARMER_1).get(f"/api/v1/app/photos/{digest}").data == old
    assert login(app, OFFICER).get(f"/api/v1/officer/photos/{digest}").data == old
    assert [p.read_bytes() for p in files(blob_dir) if p.name == digest] == [old]  # now in the one store
    legacy.write_bytes(b"damaged")
    other = jpeg("#5d4037")
    wrong = hashlib.sha256(other).hexdigest()
    (data_dir / "blobs" / wrong[:2]).mkdir(exist_ok=True)
    (data_dir / "blobs" / wrong[:2] / wrong[2:]).write_bytes(b"not the photo it names")
    with app.app_context():
        from server.farm import photos

        assert photos.read(app.extensions["ruongso"].blobs, wrong, data_dir) is None  # never served
        assert photos.read(app.extensions["ruongso"].blobs, "../../etc/passwd", data_dir) is None
