"""Leaf/background segmentation of lab photos, used only to swap backgrounds in training.

PlantVillage leaves lie on a plain board.  A colour-distance rule (chroma weighted
over lightness, so shadows stay background) seeds OpenCV's GrabCut (Rother et al.
2004, "GrabCut: interactive foreground extraction", SIGGRAPH), run at low
resolution for speed.  Returns None where there is no background to separate
(the leaf fills the frame, or an in-field photo).
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.colour import plant_pixels

U8 = NDArray[Any]  # uint8 images; OpenCV's stubs type results as generic arrays
WORK = 96
# GrabCut seeds its colour models with k-means drawn from OpenCV's per-thread RNG, so without
# a fixed seed a photo's mask depends on what that preload thread cut before it, and two
# preloads of the same dataset differ. Part of the preload cache key (vision/train/run.py).
GRABCUT_SEED = 20240611


def foreground_mask(bgr: U8) -> U8 | None:
    h, w = bgr.shape[:2]
    small = cv2.resize(bgr, (WORK, WORK), interpolation=cv2.INTER_AREA)
    b = 5
    border = np.concatenate(
        [
            small[:b].reshape(-1, 3),
            small[-b:].reshape(-1, 3),
            small[:, :b].reshape(-1, 3),
            small[:, -b:].reshape(-1, 3),
        ]
    )
    if plant_pixels(border.reshape(-1, 1, 3)).mean() > 0.30:
        return None
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (3, 3), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    ref = np.median(
        cv2.cvtColor(border.reshape(-1, 1, 3), cv2.COLOR_BGR2LAB).reshape(-1, 3).astype(np.float32), axis=0
    )
    dd = lab - ref
    dist = np.sqrt(0.25 * dd[..., 0] ** 2 + 2.0 * dd[..., 1] ** 2 + 2.0 * dd[..., 2] ** 2)
    init = dist > 14
    if init.mean() < 0.05:
        return None
    gm = np.where(init, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    gm[:3] = cv2.GC_BGD
    gm[-3:] = cv2.GC_BGD
    gm[:, :3] = cv2.GC_BGD
    gm[:, -3:] = cv2.GC_BGD
    bgm = np.zeros((1, 65), np.float64)
    fgm = np.zeros((1, 65), np.float64)
    try:
        cv2.setRNGSeed(GRABCUT_SEED)
        cv2.grabCut(small, gm, (0, 0, 0, 0), bgm, fgm, 2, cv2.GC_INIT_WITH_MASK)
    except cv2.error:
        return None
    m = np.where((gm == cv2.GC_FGD) | (gm == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    n, comp, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    if n <= 1:
        return None
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    m = np.where(comp == largest, 255, 0).astype(np.uint8)
    inv = cv2.bitwise_not(m)
    n2, holes, st2, _ = cv2.connectedComponentsWithStats(inv, connectivity=4)
    for i in range(1, n2):
        x, y, ww, hh, _a = st2[i]
        if x > 0 and y > 0 and x + ww < WORK and y + hh < WORK:
            m[holes == i] = 255
    frac = float((m > 0).mean())
    if frac < 0.05 or frac > 0.95:
        return None
    big = cv2.resize(m, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.where(big > 127, 255, 0).astype(np.uint8)
