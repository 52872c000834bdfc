"""Photo intake and storage: limits, decompression-bomb-safe decoding, metadata stripped, one store.

The stored file is a fresh JPEG without any EXIF (so no GPS position, camera serial or time);
the position read from the EXIF is returned separately and kept only if the farmer allows it.

Photos live in the configured blob store (``services().blobs``, ``settings.blob_dir``) and
nowhere else. Photos uploaded before that were written by the app's own store as
``<data_dir>/blobs/ab/cdef...`` (one fan-out level); ``read`` still finds them there (a read
fallback, not a migration) and copies each into the configured store on first read, so old
diagnoses keep their photos and the configured store fills up as they are viewed; the old file is
left where it was (deleting it is the operator's choice, once the store is backed up).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from server.blobs import BlobStore
from server.services import services

MAX_BYTES = 12 * 1024 * 1024  # per photo; phone cameras make 2-8 MB JPEGs
MAX_PHOTOS = 5
MAX_PIXELS = 50_000_000  # refused before decoding (a 200 MP phone photo is 4x this: use a lower setting)
MAX_EDGE = 2048  # stored size: enough for the classifier and an officer's eye
FORMATS = {"JPEG", "PNG", "WEBP"}
GPS_IFD = 0x8825


class PhotoError(ValueError):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes  # JPEG, no metadata
    gps: tuple[float, float] | None  # (lat, lon) from the EXIF, if any
    size: tuple[int, int]


def _sniff(raw: bytes) -> bool:
    return (
        raw[:3] == b"\xff\xd8\xff"
        or raw[:8] == b"\x89PNG\r\n\x1a\n"
        or (raw[:4] == b"RIFF" and raw[8:12] == b"WEBP")
    )


def _degrees(value: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    deg = d + m / 60.0 + s / 3600.0
    return -deg if str(ref).upper() in ("S", "W") else deg


def position(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    """``(lat, lon)`` rounded to 6 decimals (~0.1 m) when both are finite and on the globe, else None.

    One rule for every source of a position (the photo's EXIF, the fields the phone read from it
    before shrinking the photo, the phone's own fix), so a NaN or an out-of-range pair is never stored.
    """
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return round(lat, 6), round(lon, 6)


def read_gps(img: Image.Image) -> tuple[float, float] | None:
    gps = img.getexif().get_ifd(GPS_IFD)
    if not gps or 2 not in gps or 4 not in gps:
        return None
    return position(_degrees(gps[2], gps.get(1, "N")), _degrees(gps[4], gps.get(3, "E")))


def clean(raw: bytes) -> CleanPhoto:
    """Validate and re-encode one upload; raises PhotoError with a stable code."""
    if len(raw) > MAX_BYTES:
        raise PhotoError("too_large", f"a photo may be at most {MAX_BYTES // (1024 * 1024)} MB")
    if not _sniff(raw):
        raise PhotoError("bad_type", "only JPEG, PNG or WebP photos")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(raw))
            if img.format not in FORMATS:
                raise PhotoError("bad_type", "only JPEG, PNG or WebP photos")
            w, h = img.size
            if w * h > MAX_PIXELS or getattr(img, "n_frames", 1) > 1:
                raise PhotoError(
                    "too_many_pixels", f"at most {MAX_PIXELS // 1_000_000} megapixels, one frame"
                )
            gps = read_gps(img)
            if img.format == "JPEG":
                img.draft("RGB", (MAX_EDGE, MAX_EDGE))  # decode at reduced scale: less memory, faster
            rgb = ImageOps.exif_transpose(img).convert("RGB")
    except PhotoError:
        raise
    except (
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise PhotoError("unreadable", f"the photo could not be read: {type(exc).__name__}") from exc
    rgb.thumbnail((MAX_EDGE, MAX_EDGE))
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=85, optimize=True)  # no exif= argument: no metadata is written
    return CleanPhoto(out.getvalue(), gps, rgb.size)


SHA256 = re.compile(r"^[0-9a-f]{64}$")


def legacy_path(data_dir: Path, digest: str) -> Path:
    """Where the app's former photo store kept ``digest``: ``<data_dir>/blobs/ab/cdef...``."""
    return Path(data_dir) / "blobs" / digest[:2] / digest[2:]


def store(blobs: BlobStore, data: bytes) -> str:
    """Keep a cleaned photo in the configured store; returns its sha256 (the photo's name)."""
    return blobs.put(data)


def read(blobs: BlobStore, digest: str, data_dir: Path | None = None) -> bytes | None:
    """A stored photo by sha256: the configured store first, then the former layout (copied over)."""
    if not SHA256.match(digest):
        return None
    data = blobs.get(digest)
    if data is not None or data_dir is None:
        return data
    try:
        old = legacy_path(data_dir, digest).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(old).hexdigest() != digest:  # never serve (or copy) a damaged file
        return None
    blobs.put(old)
    return old


def keep(data: bytes) -> str:
    """Store a cleaned photo in the app's configured blob store (``services().blobs``)."""
    blobs = services().blobs
    if blobs is None:
        raise RuntimeError("no blob store configured")
    return store(blobs, data)


def stored(digest: str) -> bytes | None:
    """A photo from the app's configured blob store, or from the former layout (copied over)."""
    svc = services()
    if svc.blobs is None:
        return None
    return read(svc.blobs, digest, svc.settings.data_dir if svc.settings else None)
