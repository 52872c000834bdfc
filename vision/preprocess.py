"""Decode phone photos quickly and safely, and cut the model input.

* Dimensions come from the file header *before* decoding, so an absurd size
  (a decompression bomb) is refused without allocating it.
* JPEGs decode at 1/2, 1/4 or 1/8 scale inside libjpeg (``IMREAD_REDUCED_*``:
  the DCT is only partly evaluated), chosen from the header so the short side stays
  >= ``WORK_MIN_SIDE``; a 12 MP photo decodes at 1/8.
* EXIF orientation is read here (TIFF tag 0x0112, CIPA DC-008 "Exif 2.32") and
  applied explicitly; OpenCV's own auto-rotation is switched off so the result does
  not depend on the OpenCV build.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.colour import plant_pixels

U8 = NDArray[Any]  # uint8 BGR images; OpenCV's stubs type results as generic arrays

MAX_SIDE = 16384
MAX_PIXELS = 80_000_000  # ~80 MP; phones today top out around 50 MP (200 MP binned modes excepted)
MAX_BYTES = 40 * 1024 * 1024
WORK_MIN_SIDE = 320  # short side we decode to at least; ample for the 192-px model input


class ImageError(ValueError):
    """The bytes are not a usable image.  ``code`` is machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "jpeg", "png", or Pillow's format name
    width: int  # as stored, before EXIF rotation
    height: int
    orientation: int  # EXIF orientation 1..8 (1 = as stored)


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _exif_orientation(tiff: bytes) -> int:
    """Orientation tag from a TIFF/Exif block; 1 when absent or malformed."""
    if len(tiff) < 8:
        return 1
    end = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if end is None:
        return 1
    (ifd,) = struct.unpack(end + "I", tiff[4:8])
    if ifd + 2 > len(tiff):
        return 1
    (n,) = struct.unpack(end + "H", tiff[ifd : ifd + 2])
    for k in range(min(n, 512)):
        off = ifd + 2 + 12 * k
        if off + 12 > len(tiff):
            break
        tag, typ, _count = struct.unpack(end + "HHI", tiff[off : off + 8])
        if tag == 0x0112 and typ == 3:  # SHORT
            (val,) = struct.unpack(end + "H", tiff[off + 8 : off + 10])
            return int(val) if 1 <= val <= 8 else 1
    return 1


def _jpeg_header(data: bytes) -> ImageInfo:
    i, n = 2, len(data)
    orientation = 1
    while i + 4 <= n:
        if data[i] != 0xFF:
            raise ImageError("corrupt", "JPEG marker expected")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (seglen,) = struct.unpack(">H", data[i + 2 : i + 4])
        seg = data[i + 4 : i + 2 + seglen]
        if marker == 0xE1 and seg[:6] == b"Exif\x00\x00":
            orientation = _exif_orientation(seg[6:])
        elif marker in _SOF:
            if len(seg) < 5:
                break
            h, w = struct.unpack(">HH", seg[1:5])
            return ImageInfo("jpeg", int(w), int(h), orientation)
        elif marker == 0xDA:  # start of scan before any frame header
            break
        i += 2 + seglen
    raise ImageError("corrupt", "JPEG without a frame header")


def read_header(data: bytes) -> ImageInfo:
    """Format and dimensions from the first bytes; raises ImageError for non-images."""
    if len(data) < 16:
        raise ImageError("not_an_image", "file is empty or too short to be an image")
    if data[:3] == b"\xff\xd8\xff":
        return _jpeg_header(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        orientation = _png_chunks(data)
        w, h = struct.unpack(">II", data[16:24])
        return ImageInfo("png", int(w), int(h), orientation)
    try:
        from PIL import Image

        # Image.open only parses the header; pixel data is not decoded here.
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
            fmt = (im.format or "unknown").lower()
            orient = int(im.getexif().get(0x0112, 1) or 1)
    except Exception as exc:  # Pillow raises many types for junk input
        raise ImageError("not_an_image", "not a supported image file (JPEG, PNG, WebP, BMP, TIFF)") from exc
    return ImageInfo(fmt, int(w), int(h), orient if 1 <= orient <= 8 else 1)


def _png_chunks(data: bytes) -> int:
    """One walk over the chunks: returns the EXIF orientation, raises ImageError for a bad file.

    Every chunk must fit in the file: libpng trusts a chunk's length field and a 99-byte file
    claiming a 4 GB chunk makes the decoder allocate it (found by fuzzing).  Exif lives in an
    ``eXIf`` chunk before the image data (PNG 3rd edition); rare, but honour it.
    """
    if len(data) < 33 or data[12:16] != b"IHDR":  # signature + IHDR chunk (PNG spec §11.2.2)
        raise ImageError("corrupt", "PNG without a complete IHDR header")
    i, orientation, seen_data = 8, None, False
    while i + 12 <= len(data):
        (ln,) = struct.unpack(">I", data[i : i + 4])
        if ln > len(data) - i - 12:
            raise ImageError("corrupt", "PNG chunk runs past the end of the file")
        typ = data[i + 4 : i + 8]
        if typ == b"IEND":
            return orientation or 1
        if typ == b"IDAT":
            seen_data = True
        elif typ == b"eXIf" and orientation is None and not seen_data:
            orientation = _exif_orientation(data[i + 8 : i + 8 + ln])
        i += 12 + ln
    raise ImageError("corrupt", "PNG ends without an IEND chunk (truncated upload?)")


def _check_size(info: ImageInfo, nbytes: int) -> None:
    if nbytes > MAX_BYTES:
        raise ImageError("too_large", f"file is {nbytes / 1e6:.0f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB")
    if info.width <= 0 or info.height <= 0:
        raise ImageError("corrupt", "image header has zero size")
    if info.width > MAX_SIDE or info.height > MAX_SIDE or info.width * info.height > MAX_PIXELS:
        raise ImageError(
            "too_large",
            f"image is {info.width}x{info.height}; refusing to decode (limit {MAX_PIXELS / 1e6:.0f} MP)",
        )


def reduction_for(info: ImageInfo) -> int:
    """Largest libjpeg scale-down (8, 4, 2) keeping the short side >= WORK_MIN_SIDE."""
    if info.format != "jpeg":
        return 1
    short = min(info.width, info.height)
    for f in (8, 4, 2):
        if short // f >= WORK_MIN_SIDE:
            return f
    return 1


_REDUCED = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}


def apply_orientation(img: U8, orientation: int) -> U8:
    """Rotate/flip pixels so that EXIF orientation 1 holds (Exif 2.32, tag 0x0112)."""
    ops: dict[int, list[str]] = {
        2: ["flipx"],
        3: ["r180"],
        4: ["flipy"],
        5: ["transpose"],
        6: ["cw"],
        7: ["transverse"],
        8: ["ccw"],
    }
    out = img
    for op in ops.get(orientation, []):
        if op == "flipx":
            out = cv2.flip(out, 1)
        elif op == "flipy":
            out = cv2.flip(out, 0)
        elif op == "r180":
            out = cv2.rotate(out, cv2.ROTATE_180)
        elif op == "cw":
            out = cv2.rotate(out, cv2.ROTATE_90_CLOCKWISE)
        elif op == "ccw":
            out = cv2.rotate(out, cv2.ROTATE_90_COUNTERCLOCKWISE)
        elif op == "transpose":
            out = cv2.transpose(out)
        elif op == "transverse":
            out = cv2.rotate(cv2.transpose(out), cv2.ROTATE_180)
    return np.ascontiguousarray(out)


@dataclass(frozen=True)
class Decoded:
    image: U8  # BGR, upright (EXIF applied), possibly reduced
    info: ImageInfo
    reduction: int

    @property
    def original_size(self) -> tuple[int, int]:
        """(width, height) of the full-resolution upright photo."""
        w, h = self.info.width, self.info.height
        return (h, w) if self.info.orientation in (5, 6, 7, 8) else (w, h)


def _looks_truncated_jpeg(data: bytes) -> bool:
    tail = data[-4096:].rstrip(b"\x00\r\n ")
    return not tail.endswith(b"\xff\xd9")


def decode(data: bytes) -> Decoded:
    """Header check, reduced decode, EXIF orientation.  Raises ImageError."""
    info = read_header(data)
    _check_size(info, len(data))
    if info.format == "jpeg" and _looks_truncated_jpeg(data):
        raise ImageError("truncated", "the JPEG file is cut off (incomplete upload?)")
    red = reduction_for(info)
    buf = np.frombuffer(data, np.uint8)
    img = cv2.imdecode(buf, _REDUCED[red] | cv2.IMREAD_IGNORE_ORIENTATION)
    if img is None and info.format not in ("jpeg", "png"):
        img = _decode_pillow(data)
    if img is None:
        raise ImageError("corrupt", f"could not decode the {info.format} data")
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    return Decoded(apply_orientation(np.asarray(img, np.uint8), info.orientation), info, red)


def _decode_pillow(data: bytes) -> U8 | None:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            rgb = np.asarray(im.convert("RGB"), np.uint8)
    except Exception:
        return None
    return np.ascontiguousarray(rgb[..., ::-1])


def leaf_box(img: U8) -> tuple[int, int, int, int]:
    """Square crop (x, y, side, side) around the leaf-like region, else the centre square.

    Phone photos often show a leaf small in a large frame; the model was trained
    on leaves filling 50-100 % of the frame, so zoom onto the plant-coloured
    region when it is clearly smaller than the frame.
    """
    h, w = img.shape[:2]
    side = min(h, w)
    centre = ((w - side) // 2, (h - side) // 2, side, side)
    scale = 96.0 / max(h, w)
    small = cv2.resize(
        img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
    )
    m: U8 = plant_pixels(cv2.GaussianBlur(small, (3, 3), 0)).astype(np.uint8)
    m = cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    if m.sum() < 12:
        return centre
    n, _lab, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    big = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA])) if n > 1 else 0
    if big == 0:
        return centre
    x, y, bw, bh, _ = (int(v) for v in stats[big])
    x0, y0, x1, y1 = x / scale, y / scale, (x + bw) / scale, (y + bh) / scale
    s = max(x1 - x0, y1 - y0) * 1.25
    s = min(max(s, 0.4 * side), side)
    if s > 0.8 * side:
        return centre
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    sx = round(min(max(cx - s / 2, 0), w - s))
    sy = round(min(max(cy - s / 2, 0), h - s))
    return (sx, sy, int(s), int(s))


def model_input(img: U8, size: int, box: tuple[int, int, int, int] | None = None) -> U8:
    """Crop ``box`` (default: centre square) and resize to size x size (BGR uint8)."""
    h, w = img.shape[:2]
    if box is None:
        side = min(h, w)
        box = ((w - side) // 2, (h - side) // 2, side, side)
    x, y, bw, bh = box
    crop = img[y : y + bh, x : x + bw]
    interp = cv2.INTER_AREA if bw >= size else cv2.INTER_LINEAR
    return np.ascontiguousarray(cv2.resize(crop, (size, size), interpolation=interp))
