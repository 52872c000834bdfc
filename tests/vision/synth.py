"""Small synthetic photos for the vision tests (no dataset needed)."""

from __future__ import annotations

import io
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

U8 = NDArray[Any]


def leaf(w: int = 800, h: int = 600, seed: int = 0) -> U8:
    """A green leaf-shaped ellipse with veins and brown spots on a soil-brown background."""
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = (40, 70, 110)
    img = np.clip(img.astype(np.int16) + rng.integers(-25, 25, img.shape), 0, 255).astype(np.uint8)
    cx, cy = w // 2, h // 2
    cv2.ellipse(img, (cx, cy), (int(w * 0.33), int(h * 0.3)), 20, 0, 360, (40, 150, 60), -1)
    for k in range(-4, 5):  # veins
        cv2.line(img, (cx, cy), (cx + k * w // 14, cy - h // 4), (90, 190, 120), 2)
    for _ in range(12):  # lesions
        p = (int(cx + rng.integers(-w // 5, w // 5)), int(cy + rng.integers(-h // 6, h // 6)))
        cv2.circle(img, p, int(rng.integers(6, 16)), (30, 60, 100), -1)
    noise = rng.normal(0, 6, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def wall(w: int = 800, h: int = 600, seed: int = 1) -> U8:
    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), 170, np.float32) + rng.normal(0, 12, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def skin(w: int = 800, h: int = 600, seed: int = 2) -> U8:
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 3), np.float32)
    img[:] = (120, 160, 215)  # BGR skin tone
    return np.clip(img + rng.normal(0, 10, img.shape), 0, 255).astype(np.uint8)


def jpeg(img: U8, quality: int = 90) -> bytes:
    ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return enc.tobytes()


def png(img: U8) -> bytes:
    ok, enc = cv2.imencode(".png", img)
    assert ok
    return enc.tobytes()


def jpeg_with_orientation(img: U8, orientation: int) -> bytes:
    pil = Image.fromarray(np.ascontiguousarray(img[..., ::-1]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    pil.save(buf, format="JPEG", quality=92, exif=exif.tobytes())
    return buf.getvalue()


def png_with_orientation(img: U8, orientation: int) -> bytes:
    """PNG with an ``eXIf`` chunk (Pillow writes it before the image data)."""
    pil = Image.fromarray(np.ascontiguousarray(img[..., ::-1]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    pil.save(buf, format="PNG", exif=exif.tobytes())
    return buf.getvalue()


def with_fake_size(jpg: bytes, width: int, height: int) -> bytes:
    """Rewrite the SOF0 frame header to claim another size (decompression-bomb test)."""
    b = bytearray(jpg)
    i = b.find(b"\xff\xc0")
    assert i > 0
    b[i + 5 : i + 7] = height.to_bytes(2, "big")
    b[i + 7 : i + 9] = width.to_bytes(2, "big")
    return bytes(b)
