"""Field-photo augmentation and synthetic negatives (numpy + OpenCV, no TensorFlow).

Why: in the dataset the background and image style predict the class (grape on
black, other PlantVillage leaves on grey boards, rice in the field).  A model that
learns "black board = grape" fails on a farmer's photo, so lab leaves are cut out
(masks from ``masks.py``) and pasted on random backgrounds; every image also gets
phone-camera effects (rotation, scale, lighting/white balance, shadow, blur, noise,
JPEG artefacts).  Negatives (textures, walls, soil, skin) are trained towards the
uniform distribution -- "outlier exposure", Hendrycks et al. 2019, arXiv:1812.04606 --
so an energy/max-logit score separates them at run time.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

U8 = NDArray[Any]  # uint8 images; OpenCV's stubs type results as generic arrays
Rng = np.random.Generator


def _value_noise(rng: Rng, size: int, cells: int) -> NDArray[Any]:
    small = rng.random((cells, cells)).astype(np.float32)
    return cv2.resize(small, (size, size), interpolation=cv2.INTER_CUBIC)


def _fractal(rng: Rng, size: int) -> NDArray[Any]:
    acc: NDArray[Any] = np.zeros((size, size), np.float32)
    amp, tot = 1.0, 0.0
    for cells in (3, 6, 12, 24, 48):
        acc += amp * _value_noise(rng, size, cells)
        tot += amp
        amp *= 0.55
    return acc / tot


def _palette(rng: Rng, kind: str) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Two BGR colours for a texture of the given kind."""
    if kind == "soil":
        base = np.array([rng.uniform(20, 70), rng.uniform(45, 100), rng.uniform(70, 140)], np.float32)
    elif kind == "skin":
        # Skin tones span light to dark; hue stays orange-red (BGR, B < G < R).
        r = rng.uniform(90, 240)
        base = np.array([r * rng.uniform(0.45, 0.7), r * rng.uniform(0.6, 0.8), r], np.float32)
    elif kind == "wall":
        g = rng.uniform(90, 235)
        tint = rng.normal(0, 10, 3).astype(np.float32)
        base = np.clip(np.array([g, g, g], np.float32) + tint, 0, 255)
    elif kind == "grass":
        base = np.array([rng.uniform(10, 60), rng.uniform(70, 160), rng.uniform(30, 110)], np.float32)
    elif kind == "wood":
        base = np.array([rng.uniform(40, 90), rng.uniform(80, 140), rng.uniform(120, 190)], np.float32)
    else:  # anything: fabric, plastic, paint
        base = rng.uniform(0, 255, 3).astype(np.float32)
    other = np.clip(base * rng.uniform(0.5, 1.3) + rng.normal(0, 20, 3), 0, 255).astype(np.float32)
    return base, other


def texture(rng: Rng, size: int, kind: str | None = None) -> U8:
    """A random non-leaf background/texture image (BGR uint8, size x size)."""
    kinds = ("soil", "skin", "wall", "grass", "wood", "any", "stripes", "plain")
    k = kind or kinds[int(rng.integers(len(kinds)))]
    if k == "stripes":
        c1, c2 = _palette(rng, "any")
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
        ang = rng.uniform(0, math.pi)
        f = rng.uniform(0.05, 0.5)
        t = (np.sin((xx * math.cos(ang) + yy * math.sin(ang)) * f) > 0).astype(np.float32)
        img = t[..., None] * c1 + (1 - t[..., None]) * c2
    elif k == "plain":
        c1, _ = _palette(rng, "any" if rng.random() < 0.5 else "wall")
        img = np.ones((size, size, 3), np.float32) * c1
    elif k == "wood":
        c1, c2 = _palette(rng, "wood")
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
        warp = _fractal(rng, size) * rng.uniform(5, 25)
        t = 0.5 + 0.5 * np.sin((yy + warp) * rng.uniform(0.15, 0.6))
        img = t[..., None] * c1 + (1 - t[..., None]) * c2
    elif k == "grass":
        img = np.zeros((size, size, 3), np.float32)
        c1, c2 = _palette(rng, "grass")
        img[:] = c2 * 0.6
        for _ in range(int(rng.integers(30, 90))):
            x0 = int(rng.integers(0, size))
            x1 = x0 + int(rng.normal(0, size * 0.15))
            col = c1 * rng.uniform(0.6, 1.4)
            cv2.line(
                img,
                (x0, size),
                (x1, int(rng.integers(0, size // 2))),
                [float(v) for v in col],
                int(rng.integers(1, 4)),
            )
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 3.0))
    else:
        c1, c2 = _palette(rng, k)
        t = _fractal(rng, size)[..., None]
        img = t * c1 + (1 - t) * c2
        if k == "skin":
            # Soft shading like a palm/finger.
            yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
            cx, cy = rng.uniform(0.2, 0.8, 2)
            img *= (1.1 - 0.5 * ((xx - cx) ** 2 + (yy - cy) ** 2))[..., None]
    img = img + rng.normal(0, rng.uniform(1, 10), img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def photometric(rng: Rng, img: U8) -> U8:
    """Lighting, white balance, shadow, blur, noise, low resolution, JPEG artefacts."""
    f = img.astype(np.float32)
    f *= rng.uniform(0.6, 1.35)  # exposure
    f *= rng.uniform(0.85, 1.15, 3).astype(np.float32)  # white balance
    mean = f.mean()
    f = (f - mean) * rng.uniform(0.7, 1.3) + mean  # contrast
    if rng.random() < 0.3:  # gamma
        f = 255.0 * (np.clip(f, 0, 255) / 255.0) ** rng.uniform(0.7, 1.4)
    if rng.random() < 0.3:  # saturation
        g = f.mean(axis=2, keepdims=True)
        f = g + (f - g) * rng.uniform(0.6, 1.3)
    if rng.random() < 0.25:  # soft linear shadow
        n = f.shape[0]
        yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) / n
        a = rng.uniform(0, 2 * math.pi)
        t = np.clip((xx - 0.5) * math.cos(a) + (yy - 0.5) * math.sin(a) + rng.uniform(-0.3, 0.3), 0, 1)
        t = cv2.GaussianBlur(t, (0, 0), 4)
        f *= (1 - rng.uniform(0.2, 0.6) * (t > 0.01) * t)[..., None]
    out = np.clip(f, 0, 255).astype(np.uint8)
    r = rng.random()
    if r < 0.2:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.4, 1.3))
    elif r < 0.28:  # motion blur
        k = int(rng.integers(3, 6))
        ker: NDArray[Any] = np.zeros((k, k), np.float32)
        ker[k // 2, :] = 1.0 / k
        m = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1.0)
        ker = cv2.warpAffine(ker, m, (k, k))
        out = cv2.filter2D(out, -1, ker / max(ker.sum(), 1e-6))
    if rng.random() < 0.15:  # cheap camera / digital zoom
        n = out.shape[0]
        s = int(n * rng.uniform(0.45, 0.8))
        out = cv2.resize(
            cv2.resize(out, (s, s), interpolation=cv2.INTER_AREA), (n, n), interpolation=cv2.INTER_LINEAR
        )
    if rng.random() < 0.3:
        noise = rng.normal(0, rng.uniform(2, 8), out.shape)
        out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        ok, enc = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 92))])
        if ok:
            out = cv2.imdecode(enc, cv2.IMREAD_COLOR)
    return out


def mild(rng: Rng, img: U8) -> U8:
    """Small exposure / white-balance change only."""
    f = img.astype(np.float32) * rng.uniform(0.85, 1.15) * rng.uniform(0.93, 1.07, 3).astype(np.float32)
    return np.clip(f, 0, 255).astype(np.uint8)


def _affine(rng: Rng, src: int, dst: int, scale: float, max_shift: float, rot: bool) -> NDArray[Any]:
    ang = rng.uniform(0, 360) if rot else 0.0
    m = cv2.getRotationMatrix2D((src / 2, src / 2), ang, scale * dst / src)
    m[0, 2] += dst / 2 - src / 2 + rng.uniform(-max_shift, max_shift) * dst
    m[1, 2] += dst / 2 - src / 2 + rng.uniform(-max_shift, max_shift) * dst
    return m


def _flip(rng: Rng, img: U8, mask: U8 | None) -> tuple[U8, U8 | None]:
    if rng.random() < 0.5:
        img = img[:, ::-1]
        mask = None if mask is None else mask[:, ::-1]
    return np.ascontiguousarray(img), (None if mask is None else np.ascontiguousarray(mask))


def composite(
    rng: Rng,
    img: U8,
    mask: U8,
    out: int,
    background: U8,
    extra: tuple[U8, U8] | None = None,
) -> U8:
    """Paste a cut-out leaf (and optionally a second one) on ``background``."""
    bg = background.astype(np.float32)
    layers_ = [(img, mask)] if extra is None else [extra, (img, mask)]  # main leaf on top
    for k, (im, mk) in enumerate(layers_):
        im, mk2 = _flip(rng, im, mk)
        assert mk2 is not None
        main = k == len(layers_) - 1
        scale = rng.uniform(0.6, 1.15) if main else rng.uniform(0.5, 0.9)
        shift = 0.12 if main else 0.35
        m = _affine(rng, im.shape[0], out, scale, shift, True)
        wi = cv2.warpAffine(im, m, (out, out), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
        wm = cv2.warpAffine(mk2, m, (out, out), flags=cv2.INTER_LINEAR, borderValue=0)
        a = cv2.GaussianBlur(wm, (3, 3), 0).astype(np.float32)[..., None] / 255.0
        if main and rng.random() < 0.3:  # cast shadow offset from the leaf
            sh = np.roll(a, (int(rng.integers(2, 7)), int(rng.integers(2, 7))), axis=(0, 1))
            bg *= 1 - 0.4 * cv2.GaussianBlur(sh, (0, 0), 2.0)[..., None]
        bg = a * wi.astype(np.float32) + (1 - a) * bg
    return np.clip(bg, 0, 255).astype(np.uint8)


def geometric(rng: Rng, img: U8, out: int, zoom: tuple[float, float]) -> U8:
    """Rotate/scale/shift a whole image (no cut-out); reflect at the borders."""
    img, _ = _flip(rng, img, None)
    m = _affine(rng, img.shape[0], out, rng.uniform(*zoom), 0.08, True)
    return cv2.warpAffine(img, m, (out, out), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)


def clean(img: U8, out: int) -> U8:
    """The evaluation view: the whole preloaded square resized (matches the runtime centre crop)."""
    return cv2.resize(img, (out, out), interpolation=cv2.INTER_AREA)
