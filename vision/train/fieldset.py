"""Evaluation sets that imitate field photos, and non-leaf (OOD) photos.

Built only from val/test-split leaves.  Backgrounds include kinds the training
augmentation never generates (brick, tiles, printed paper, held in a hand), other
lighting (tungsten, shade, dusk with sensor noise, harsh sun) and several leaves
per photo; scenes are upscaled to phone-like size and JPEG-encoded, then go through
the full runtime pipeline (decode, quality gate, leaf crop, int8 model, calibration).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.train import augment

U8 = NDArray[Any]  # uint8 images; OpenCV's stubs type results as generic arrays
Rng = np.random.Generator

SCENE_W, SCENE_H = 480, 360
UPSCALE = 2  # saved photos are 960x720


def _bricks(rng: Rng, w: int, h: int) -> U8:
    base = np.array([rng.uniform(40, 90), rng.uniform(60, 110), rng.uniform(120, 190)], np.float32)
    img = np.zeros((h, w, 3), np.float32)
    img[:] = (200, 200, 200)
    bh, bw = int(rng.integers(18, 34)), int(rng.integers(40, 80))
    for r in range(0, h // bh + 1):
        off = (bw // 2) * (r % 2)
        for c in range(-1, w // bw + 2):
            col = base * rng.uniform(0.8, 1.2)
            cv2.rectangle(
                img,
                (c * bw + off + 2, r * bh + 2),
                (c * bw + off + bw - 2, r * bh + bh - 2),
                [float(v) for v in col],
                -1,
            )
    return np.clip(img + rng.normal(0, 6, img.shape), 0, 255).astype(np.uint8)


def _tiles(rng: Rng, w: int, h: int) -> U8:
    c1 = rng.uniform(120, 250, 3)
    c2 = c1 * rng.uniform(0.6, 0.95)
    s = int(rng.integers(25, 60))
    yy, xx = np.mgrid[0:h, 0:w]
    t = ((yy // s + xx // s) % 2).astype(np.float32)[..., None]
    img = t * c1 + (1 - t) * c2
    img[(yy % s < 2) | (xx % s < 2)] = c1 * 0.5
    return np.clip(img + rng.normal(0, 4, img.shape), 0, 255).astype(np.uint8)


def _paper(rng: Rng, w: int, h: int) -> U8:
    img = np.full((h, w, 3), rng.uniform(200, 245), np.float32)
    img = img.astype(np.uint8)
    for y in range(12, h, int(rng.integers(14, 22))):
        txt = "".join(chr(int(rng.integers(97, 123))) if rng.random() > 0.15 else " " for _ in range(60))
        cv2.putText(img, txt, (int(rng.integers(0, 20)), y), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (30, 30, 30), 1)
    return img


def background(rng: Rng, w: int, h: int, field: U8 | None) -> tuple[U8, str]:
    kinds = ["bricks", "tiles", "paper", "soil", "wood", "wall", "field"]
    if field is None:
        kinds.remove("field")
    k = kinds[int(rng.integers(len(kinds)))]
    if k == "bricks":
        return _bricks(rng, w, h), k
    if k == "tiles":
        return _tiles(rng, w, h), k
    if k == "paper":
        return _paper(rng, w, h), k
    if k == "field":
        assert field is not None
        img = cv2.resize(field, (w, h), interpolation=cv2.INTER_LINEAR)
        return cv2.GaussianBlur(img, (0, 0), rng.uniform(2, 6)), k
    tex = augment.texture(rng, max(w, h), k)
    return tex[:h, :w].copy(), k


def lighting(rng: Rng, img: U8) -> tuple[U8, str]:
    kinds = ("tungsten", "shade", "dusk", "sun", "overcast", "plain")
    k = kinds[int(rng.integers(len(kinds)))]
    f: NDArray[Any] = img.astype(np.float32)
    if k == "tungsten":
        f *= np.array([0.75, 0.95, 1.15], np.float32)
    elif k == "shade":
        f *= np.array([1.12, 1.0, 0.85], np.float32) * 0.85
    elif k == "dusk":
        f = f * 0.5 + rng.normal(0, 6, f.shape)
    elif k == "sun":
        f = 255 * (np.clip(f * 1.25, 0, 255) / 255) ** 0.85
        h, w = f.shape[:2]
        a = rng.uniform(0, 2 * math.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        side = ((xx - w / 2) * math.cos(a) + (yy - h / 2) * math.sin(a)) > rng.uniform(-0.3, 0.3) * w
        f[side] *= 0.55
    elif k == "overcast":
        m = f.mean()
        f = (f - m) * 0.75 + m
    return np.clip(f, 0, 255).astype(np.uint8), k


def _paste(
    rng: Rng, canvas: NDArray[np.float32], leaf: U8, mask: U8, size: float, cx: float, cy: float
) -> None:
    h, w = canvas.shape[:2]
    s = leaf.shape[0]
    m = cv2.getRotationMatrix2D((s / 2, s / 2), rng.uniform(0, 360), size * min(h, w) / s)
    m[0, 2] += cx - s / 2
    m[1, 2] += cy - s / 2
    li = cv2.warpAffine(leaf, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT_101).astype(
        np.float32
    )
    a: NDArray[Any] = (
        cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_LINEAR).astype(np.float32)[..., None] / 255.0
    )
    a = cv2.GaussianBlur(a, (3, 3), 0)[..., None]
    canvas[:] = a * li + (1 - a) * canvas


def real_field_background(rng: Rng, field: U8) -> tuple[U8, str]:
    """A held-out real field photo as the scene, sharp half of the time: a sharp
    field behind a lab leaf is exactly the case where "field style => rice" fails."""
    img = cv2.resize(field, (SCENE_W, SCENE_H), interpolation=cv2.INTER_CUBIC)
    if rng.random() < 0.5:
        return img, "real-field-sharp"
    return cv2.GaussianBlur(img, (0, 0), rng.uniform(1.5, 5)), "real-field-blurred"


def field_photo(
    rng: Rng, leaves: list[tuple[U8, U8]], field_bg: U8 | None, bg: tuple[U8, str] | None = None
) -> tuple[U8, dict[str, str]]:
    """Scene with 1-3 leaves of one class on ``bg`` (default: a random kind);
    returns (BGR photo, description)."""
    bg_img, bk = bg if bg is not None else background(rng, SCENE_W, SCENE_H, field_bg)
    canvas: NDArray[Any] = bg_img.astype(np.float32)
    if rng.random() < 0.25:  # held in a palm: skin patch under the main leaf
        hand = augment.texture(rng, 300, "skin")
        cx, cy = SCENE_W // 2 + int(rng.integers(-40, 40)), SCENE_H // 2 + int(rng.integers(-30, 60))
        hm = np.zeros((SCENE_H, SCENE_W), np.uint8)
        cv2.ellipse(
            hm,
            (cx, cy),
            (int(rng.integers(90, 140)), int(rng.integers(110, 170))),
            rng.uniform(-30, 30),
            0,
            360,
            255,
            -1,
        )
        hand_full = cv2.resize(hand, (SCENE_W, SCENE_H))
        a = (cv2.GaussianBlur(hm, (9, 9), 0).astype(np.float32) / 255)[..., None]
        canvas = a * hand_full + (1 - a) * canvas
        bk += "+hand"
    for k, (img, mask) in enumerate(leaves):
        main = k == len(leaves) - 1
        size = rng.uniform(0.65, 0.95) if main else rng.uniform(0.45, 0.7)
        lx = SCENE_W / 2 + (rng.uniform(-40, 40) if main else rng.choice([-1, 1]) * rng.uniform(120, 200))
        ly = SCENE_H / 2 + (rng.uniform(-25, 25) if main else rng.uniform(-120, 120))
        _paste(rng, canvas, img, mask, size, lx, ly)
    photo = np.clip(canvas, 0, 255).astype(np.uint8)
    photo, lk = lighting(rng, photo)
    return photo, {"background": bk, "lighting": lk, "leaves": str(len(leaves))}


def field_photo_infield(rng: Rng, img: U8) -> tuple[U8, dict[str, str]]:
    """In-field photo (rice): rotate/zoom, other lighting; no background swap."""
    s = max(SCENE_W, SCENE_H)
    m = cv2.getRotationMatrix2D(
        (img.shape[1] / 2, img.shape[0] / 2),
        rng.uniform(-25, 25),
        rng.uniform(1.0, 1.3) * s / min(img.shape[:2]),
    )
    m[0, 2] += SCENE_W / 2 - img.shape[1] / 2
    m[1, 2] += SCENE_H / 2 - img.shape[0] / 2
    out = cv2.warpAffine(img, m, (SCENE_W, SCENE_H), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT_101)
    out, lk = lighting(rng, out)
    return out, {"background": "in-field", "lighting": lk, "leaves": "canopy"}


def to_phone_jpeg(rng: Rng, img: U8) -> bytes:
    big = cv2.resize(img, (img.shape[1] * UPSCALE, img.shape[0] * UPSCALE), interpolation=cv2.INTER_CUBIC)
    big = np.clip(big.astype(np.float32) + rng.normal(0, 2.0, big.shape), 0, 255).astype(np.uint8)
    ok, enc = cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(70, 92))])
    assert ok
    return enc.tobytes()


# -- non-leaf photos -----------------------------------------------------------------


def synthetic_ood(rng: Rng, n: int) -> Iterator[tuple[str, U8]]:
    """Walls, bricks, tiles, paper, soil with stones, skin/hands, gradients, noise, clutter."""
    kinds = (
        "bricks",
        "tiles",
        "paper",
        "soil",
        "wall",
        "skin",
        "hand",
        "gradient",
        "noise",
        "clutter",
        "wood",
    )
    for i in range(n):
        k = kinds[i % len(kinds)]
        w, h = SCENE_W, SCENE_H
        if k == "bricks":
            img = _bricks(rng, w, h)
        elif k == "tiles":
            img = _tiles(rng, w, h)
        elif k == "paper":
            img = _paper(rng, w, h)
        elif k == "soil":
            img = augment.texture(rng, w, "soil")[:h]
            for _ in range(int(rng.integers(10, 60))):
                c = (int(rng.integers(0, w)), int(rng.integers(0, h)))
                g = float(rng.uniform(80, 200))
                cv2.ellipse(
                    img,
                    c,
                    (int(rng.integers(2, 10)), int(rng.integers(2, 8))),
                    rng.uniform(0, 180),
                    0,
                    360,
                    (g * 0.9, g, g),
                    -1,
                )
        elif k == "wall":
            img = augment.texture(rng, w, "wall")[:h]
        elif k == "skin":
            img = augment.texture(rng, w, "skin")[:h]
        elif k == "hand":
            img = augment.texture(rng, w, "wall")[:h].copy()
            sk = augment.texture(rng, w, "skin")[:h]
            m = np.zeros((h, w), np.uint8)
            cx, cy = w // 2, h // 2 + 40
            cv2.ellipse(m, (cx, cy), (110, 130), 0, 0, 360, 255, -1)
            for f in range(4):  # fingers
                x = cx - 75 + f * 50
                cv2.ellipse(m, (x, cy - 150), (20, 70), rng.uniform(-10, 10), 0, 360, 255, -1)
            a = (cv2.GaussianBlur(m, (7, 7), 0).astype(np.float32) / 255)[..., None]
            img = (a * sk + (1 - a) * img).astype(np.uint8)
        elif k == "gradient":
            c1, c2 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
            t = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
            img = np.broadcast_to(t * c1 + (1 - t) * c2, (h, w, 3)).astype(np.uint8)
        elif k == "noise":
            img = cv2.resize(
                rng.integers(0, 256, (h // 8, w // 8, 3)).astype(np.uint8),
                (w, h),
                interpolation=cv2.INTER_CUBIC,
            )
        elif k == "clutter":
            img = augment.texture(rng, w, "wall")[:h].copy()
            for _ in range(int(rng.integers(5, 15))):
                col = [float(v) for v in rng.uniform(0, 255, 3)]
                p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
                p2 = (p1[0] + int(rng.integers(10, 120)), p1[1] + int(rng.integers(10, 120)))
                cv2.rectangle(img, p1, p2, col, -1)
        else:
            img = augment.texture(rng, w, "wood")[:h]
        img, _ = lighting(rng, np.ascontiguousarray(img))
        yield k, img


def skimage_photos() -> Iterator[tuple[str, U8]]:
    """Natural photos shipped with scikit-image (if installed): none shows a crop leaf."""
    try:
        from skimage import data as skd
    except ImportError:
        return
    names = (
        "astronaut",
        "camera",
        "coffee",
        "chelsea",
        "rocket",
        "coins",
        "brick",
        "gravel",
        "moon",
        "page",
        "text",
        "clock",
        "horse",
        "hubble_deep_field",
        "immunohistochemistry",
        "retina",
        "cell",
        "colorwheel",
        "logo",
        "grass",
        "cat",
        "checkerboard",
        "microaneurysms",
        "eagle",
        "motorcycle_left",
        "shepp_logan_phantom",
        "rough_wall",
        "binary_blobs",
    )
    for n in names:
        fn = getattr(skd, n, None)
        if fn is None:
            continue
        try:
            img = np.asarray(fn())
        except Exception:  # some need downloads (pooch); skip offline
            continue
        if img.dtype == np.bool_:
            img = img.astype(np.uint8) * 255
        if img.dtype != np.uint8:
            f = img.astype(np.float64)
            img = ((f - f.min()) / max(f.max() - f.min(), 1e-9) * 255).astype(np.uint8)
        if img.ndim == 2:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        elif img.shape[2] == 4:
            img = cv2.cvtColor(img, cv2.COLOR_RGBA2BGR)
        else:
            img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
        yield n, np.ascontiguousarray(img)
