"""Training batches sampled so that image *style* predicts neither crop nor disease.

Why: in the dataset every non-rice class is a PlantVillage lab photo (one leaf on
a plain board) and every rice class is an in-field photo.  The easiest rule a
network can learn is "field-looking photo => rice", which is exactly what failed
on farmers' maize photos.  So each training view is drawn from one of four
styles with the *same* probabilities for every class, and the style is chosen
independently of the label:

* ``lab``: the photo as it is (near-original views teach the disease signal fast);
* ``field``: the leaf in a real field scene.  Lab leaves are cut out and pasted
  onto crops of *training-split* rice field photos (sharp or out of focus) or
  textures, with other leaves, occluders, sun/shade; rice photos already are
  field scenes and get the same camera treatment;
* ``labstyle``: the opposite swap.  Rice photos are zoomed onto a leaf and the
  surroundings replaced by a plain board, so "plain board" does not mean "not rice";
* ``phone``: geometric + photometric phone effects (blur, noise, JPEG 30-92).

Backgrounds come only from training-split photos, so the evaluation can use
held-out real backgrounds.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.colour import plant_pixels
from vision.train import augment
from vision.train.data import Preloaded

U8 = NDArray[Any]
Rng = np.random.Generator
BATCH = 64
NEG_FRACTION = 0.08
LABEL_SMOOTHING = 0.1
# Style mix for every class (lab, field, labstyle, phone); must sum to 1.
STYLE_MIX = (0.25, 0.40, 0.15, 0.20)


def board(rng: Rng, size: int) -> U8:
    """A plain lab board (grey, black, purple-grey, white paper) with a soft gradient."""
    kind = int(rng.integers(4))
    base = (
        rng.uniform(90, 200, 1).repeat(3)
        if kind == 0
        else rng.uniform(0, 40, 1).repeat(3)
        if kind == 1
        else np.array([rng.uniform(120, 180), rng.uniform(90, 140), rng.uniform(110, 170)])
        if kind == 2
        else rng.uniform(200, 245, 1).repeat(3)
    ).astype(np.float32)
    yy = np.linspace(rng.uniform(0.8, 1.0), rng.uniform(1.0, 1.2), size, dtype=np.float32)
    img = base[None, None, :] * yy[:, None, None] * np.ones((size, size, 1), np.float32)
    img += rng.normal(0, 2.5, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def lab_style(rng: Rng, img: U8, size: int) -> U8:
    """Field photo -> lab style: zoom onto a leaf strip and put it on a plain board."""
    zoomed = augment.geometric(rng, img, size, (1.4, 2.4))
    m = plant_pixels(cv2.GaussianBlur(zoomed, (5, 5), 0)).astype(np.uint8) * 255
    if m.mean() > 0.6 * 255 or rng.random() < 0.5:
        # Mostly green (and half the time anyway): keep one leaf-wide strip, as if a leaf was picked.
        strip = np.zeros((size, size), np.uint8)
        c = (int(size / 2 + rng.uniform(-0.1, 0.1) * size), int(size / 2 + rng.uniform(-0.1, 0.1) * size))
        axes = (int(size * rng.uniform(0.45, 0.7)), int(size * rng.uniform(0.08, 0.2)))
        cv2.ellipse(strip, c, axes, rng.uniform(0, 180), 0, 360, 255, -1)
        m = strip
    a = cv2.GaussianBlur(m, (5, 5), 0).astype(np.float32)[..., None] / 255.0
    out = a * zoomed.astype(np.float32) + (1 - a) * board(rng, size).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def occlude(rng: Rng, img: U8) -> U8:
    """Stalks, a finger or a shadowed blob over part of the scene (never most of it)."""
    out = img.copy()
    n = out.shape[0]
    for _ in range(int(rng.integers(1, 3))):
        col = [float(v) for v in rng.uniform(20, 200, 3)]
        if rng.random() < 0.5:
            p0 = (int(rng.integers(0, n)), 0 if rng.random() < 0.5 else n - 1)
            p1 = (int(rng.integers(0, n)), int(rng.integers(0, n)))
            cv2.line(out, p0, p1, col, int(rng.integers(2, max(3, n // 20))))
        else:
            skin = augment.texture(rng, n, "skin")
            mk = np.zeros((n, n), np.uint8)
            edge = (int(rng.integers(0, n)), n - 1)
            cv2.ellipse(mk, edge, (n // 10, n // 3), rng.uniform(-40, 40), 0, 360, 255, -1)
            a = cv2.GaussianBlur(mk, (5, 5), 0).astype(np.float32)[..., None] / 255
            out = (a * skin + (1 - a) * out).astype(np.uint8)
    return out


class BatchMaker:
    """Produces augmented, style-balanced training batches in a background thread."""

    def __init__(
        self,
        pre: Preloaded,
        num_classes: int,
        seed: int,
        size: int,
        train_idx: NDArray[np.int64] | None = None,
    ) -> None:
        self.pre = pre
        self.k = num_classes
        self.size = size
        self.rng = np.random.default_rng(seed)
        self.train_idx = np.nonzero(pre.split == 0)[0] if train_idx is None else train_idx
        self.has_mask = pre.masks.reshape(len(pre.items), -1).max(axis=1) > 0
        crops = np.array([it.path.split("__")[0] for it in pre.items])
        self.crops = crops
        # Real field scenes from the *training* split only: evaluation uses held-out ones.
        self.field_idx = self.train_idx[crops[self.train_idx] == "rice"]
        self.masked_idx = self.train_idx[self.has_mask[self.train_idx]]
        self.by_label_masked = {
            c: self.masked_idx[pre.labels[self.masked_idx] == c] for c in range(num_classes)
        }

    def field_background(self, rng: Rng) -> U8:
        """A real field scene (sharp or out of focus) or, less often, a texture."""
        if rng.random() < 0.75 and len(self.field_idx):
            src = self.pre.images[int(rng.choice(self.field_idx))]
            bg = augment.geometric(rng, src, self.size, (1.0, 1.8))
            sigma = float(rng.choice([0.0, 0.0, rng.uniform(0.8, 2.0), rng.uniform(2.0, 5.0)]))
            return np.asarray(cv2.GaussianBlur(bg, (0, 0), sigma), np.uint8) if sigma > 0 else bg
        return augment.texture(rng, self.size)

    def field_view(self, rng: Rng, i: int) -> U8:
        img, lab = self.pre.images[i], int(self.pre.labels[i])
        if self.has_mask[i]:
            extra = None
            pool = self.by_label_masked[lab]
            if rng.random() < 0.25 and len(pool) > 1:  # several leaves of the plant
                j = int(rng.choice(pool))
                extra = (self.pre.images[j], self.pre.masks[j])
            out = augment.composite(rng, img, self.pre.masks[i], self.size, self.field_background(rng), extra)
        else:
            out = augment.geometric(rng, img, self.size, (0.9, 1.4))
        if rng.random() < 0.3:
            out = occlude(rng, out)
        return out

    def sample(self, rng: Rng, i: int) -> U8:
        img = self.pre.images[i]
        style = rng.choice(4, p=STYLE_MIX)
        if style == 0:  # lab: near-original
            out = np.rot90(img[:, ::-1] if rng.random() < 0.5 else img, int(rng.integers(4)))
            return augment.mild(rng, augment.clean(np.ascontiguousarray(out), self.size))
        if style == 1:
            out = self.field_view(rng, i)
        elif style == 2:
            if self.has_mask[i]:  # lab leaf: onto another plain board
                out = augment.composite(rng, img, self.pre.masks[i], self.size, board(rng, self.size))
            elif self.crops[i] == "rice":
                out = lab_style(rng, img, self.size)
            else:
                out = augment.geometric(rng, img, self.size, (0.9, 1.3))
        else:
            out = augment.geometric(rng, img, self.size, (0.8, 1.4))
        return augment.photometric(rng, out)

    def negative(self, rng: Rng) -> U8:
        """Outlier exposure: non-leaf textures and clutter, trained towards uniform."""
        kinds = ("soil", "skin", "wall", "wood", "any", "stripes", "plain")
        img = augment.texture(rng, self.size, kinds[int(rng.integers(len(kinds)))])
        if rng.random() < 0.3:
            img = occlude(rng, img)
        return augment.photometric(rng, img)

    def batch(self) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        rng = self.rng
        n_neg = int(rng.binomial(BATCH, NEG_FRACTION))
        idx = rng.choice(self.train_idx, BATCH - n_neg)
        xs = [self.sample(rng, int(i)) for i in idx] + [self.negative(rng) for _ in range(n_neg)]
        y = np.full((BATCH, self.k), LABEL_SMOOTHING / self.k, np.float32)
        y[np.arange(BATCH - n_neg), self.pre.labels[idx]] += 1.0 - LABEL_SMOOTHING
        y[BATCH - n_neg :] = 1.0 / self.k
        x = np.stack(xs).astype(np.float32)
        perm = rng.permutation(BATCH)
        return x[perm], y[perm]

    def stream(self, prefetch: int = 6) -> Iterator[tuple[NDArray[np.float32], NDArray[np.float32]]]:
        q: queue.Queue[tuple[NDArray[np.float32], NDArray[np.float32]]] = queue.Queue(prefetch)

        def worker() -> None:
            while True:
                q.put(self.batch())

        threading.Thread(target=worker, daemon=True).start()
        while True:
            yield q.get()
