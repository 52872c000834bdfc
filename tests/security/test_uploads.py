"""Photo upload attacks: each refused with a clear 4xx and nothing stored (no blob, no diagnosis)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from tests.security.test_web import login


def jpeg(size: tuple[int, int] = (64, 48), exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, "JPEG", exif=exif or Image.Exif())
    return out.getvalue()


def png_bomb(side: int = 30000) -> bytes:
    """A valid PNG header for side x side pixels with a tiny, highly compressible IDAT."""

    def chunk(typ: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", zlib.crc32(typ + data))

    row = b"\x00" + b"\x00" * side  # filter byte + grey pixels
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(200)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg_with_dimensions(w: int, h: int) -> bytes:
    """A small real JPEG whose frame header claims w x h."""
    data = bytearray(jpeg())
    i = 2
    while i < len(data):
        marker, seglen = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC2):
            data[i + 5 : i + 9] = struct.pack(">HH", h, w)
            return bytes(data)
        i += 2 + seglen
    raise AssertionError("no SOF")


ATTACKS: dict[str, tuple[str, bytes]] = {
    "oversized": ("big.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * (13 * 1024 * 1024)),
    "png_decompression_bomb": ("bomb.png", png_bomb()),
    "huge_dimensions_header": ("huge.jpg", jpeg_with_dimensions(65000, 65000)),
    "html_named_jpg": ("leaf.jpg", b"<html><script>alert(1)</script></html>" + b" " * 64),
    "svg_named_png": ("leaf.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>' + b" " * 64),
    "zip_named_jpg": ("leaf.jpg", b"PK\x03\x04" + b"\x00" * 200),
    "pdf_named_jpg": ("leaf.jpg", b"%PDF-1.4\n" + b"\x00" * 200),
    "truncated_jpeg": ("cut.jpg", jpeg()[:40]),
    "gif_animation": ("anim.jpg", b"GIF89a" + b"\x00" * 200),
    "empty": ("empty.jpg", b""),
}


def stored_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def diagnoses(app: Flask) -> int:
    from sqlalchemy import func, select

    from server.farm.models import Diagnosis

    with app.extensions["ruongso"].db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Diagnosis)) or 0)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_hostile_upload_is_refused_with_4xx_and_nothing_stored(app: Flask, attack: str) -> None:
    c, csrf = login(app, "farmer")
    root = Path(app.config["RUONGSO_SETTINGS"].data_dir)
    before, count = stored_files(root), diagnoses(app)
    name, data = ATTACKS[attack]
    r = c.post(
        "/api/v1/app/photos",
        data={"field_id": "1", "idempotency_key": f"sec-{attack}"[:60], "photos": (io.BytesIO(data), name)},
        headers={"X-CSRF-Token": csrf},
        content_type="multipart/form-data",
    )
    assert 400 <= r.status_code < 500, (attack, r.status_code, r.get_data(as_text=True)[:300])
    assert r.mimetype == "application/problem+json" and r.get_json().get("detail"), attack
    new = {f for f in stored_files(root) - before if not f.endswith(("-wal", "-shm", "-journal"))}
    assert not new, (attack, new)
    assert diagnoses(app) == count


def test_path_traversal_file_names_never_reach_the_disk(app: Flask, tmp_path: Path) -> None:
    c, csrf = login(app, "farmer")
    root = Path(app.config["RUONGSO_SETTINGS"].data_dir)
    for i, name in enumerate(
        ["../../../../tmp/evil.jpg", "..\\..\\evil.jpg", "/etc/cron.d/x.jpg", "a/../../b.jpg"]
    ):
        r = c.post(
            "/api/v1/app/photos",
            data={"field_id": "1", "idempotency_key": f"sec-trav-{i}", "photos": (io.BytesIO(jpeg()), name)},
            headers={"X-CSRF-Token": csrf},
            content_type="multipart/form-data",
        )
        assert r.status_code in (200, 201, 400, 422), r.status_code
        assert not any("evil" in f or "cron" in f for f in stored_files(root))
    assert not Path("/tmp/evil.jpg").exists() and not (root.parent / "evil.jpg").exists()


def test_exif_gps_is_stripped_from_the_stored_photo_and_position_not_kept_without_consent(app: Flask) -> None:
    c, csrf = login(app, "farmer")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (21.0, 14.0, 3.0), 3: "E", 4: (105.0, 29.0, 31.0)}
    exif[0x010F] = "SecretCam Serial 12345"
    r = c.post(
        "/api/v1/app/photos",
        data={
            "field_id": "1",
            "idempotency_key": "sec-exif-gps",
            "photos": (io.BytesIO(jpeg(exif=exif)), "g.jpg"),
        },
        headers={"X-CSRF-Token": csrf},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    doc = r.get_json()
    assert doc["position"] is None
    stored = c.get(doc["photos"][0])
    assert stored.status_code == 200
    img = Image.open(io.BytesIO(stored.data))
    assert not img.getexif() and b"SecretCam" not in stored.data and b"Exif" not in stored.data


def test_polyglot_jpeg_with_appended_payload_is_stored_re_encoded_only(app: Flask) -> None:
    """A real JPEG followed by a ZIP/HTML payload: the stored file is a fresh encode, payload gone."""
    c, csrf = login(app, "farmer")
    payload = b"PK\x03\x04<script>alert(document.cookie)</script>"
    r = c.post(
        "/api/v1/app/photos",
        data={
            "field_id": "1",
            "idempotency_key": "sec-polyglot",
            "photos": (io.BytesIO(jpeg() + payload), "p.jpg"),
        },
        headers={"X-CSRF-Token": csrf},
        content_type="multipart/form-data",
    )
    if r.status_code == 201:
        stored = c.get(r.get_json()["photos"][0])
        assert b"<script>" not in stored.data and b"PK\x03\x04" not in stored.data
        assert stored.headers["Content-Type"] == "image/jpeg"
        assert stored.headers.get("X-Content-Type-Options") == "nosniff"
    else:
        assert 400 <= r.status_code < 500


def test_another_farmers_photo_is_not_served(app: Flask) -> None:
    c, csrf = login(app, "farmer")
    r = c.post(
        "/api/v1/app/photos",
        data={
            "field_id": "1",
            "idempotency_key": "sec-own-photo",
            "photos": (io.BytesIO(jpeg((80, 60))), "o.jpg"),
        },
        headers={"X-CSRF-Token": csrf},
        content_type="multipart/form-data",
    )
    assert r.status_code in (200, 201)
    url = r.get_json()["photos"][0]
    other, _ = login(app, "farmer3")
    assert other.get(url).status_code == 404
    assert app.test_client().get(url).status_code == 401
