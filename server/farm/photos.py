"""Photo intake: type and size limits, decompression-bomb-safe decoding, metadata stripped.

The stored file is a fresh JPEG without any EXIF (so no GPS position, camera serial or time);
the position read from the EXIF is returned separately and kept only if the farmer allows it.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps

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


def read_gps(img: Image.Image) -> tuple[float, float] | None:
    gps = img.getexif().get_ifd(GPS_IFD)
    if not gps or 2 not in gps or 4 not in gps:
        return None
    lat, lon = _degrees(gps[2], gps.get(1, "N")), _degrees(gps[4], gps.get(3, "E"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return round(lat, 6), round(lon, 6)


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
