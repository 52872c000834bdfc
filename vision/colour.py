"""Colour rules shared by the quality gate, the leaf crop and training.

OpenCV HSV uses H in [0, 180).  Leaf tissue, healthy or diseased, is green to
yellow-green (H about 22-95) with clear saturation; lesions are brown, but a
photo of a sick leaf still shows green/yellow tissue around them, so the
"plant-like" share of pixels is a cheap first test that a photo shows a leaf
at all (cf. excess-green index, Woebbecke et al. 1995, Trans. ASAE 38(1)).
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

U8 = NDArray[Any]  # uint8 BGR images; OpenCV's stubs type results as generic arrays

PLANT_H_LO = 22
PLANT_H_HI = 95
PLANT_S_MIN = 40
PLANT_V_MIN = 35


def plant_pixels(bgr: U8) -> NDArray[np.bool_]:
    """Boolean mask of green/yellow-green, saturated, not-too-dark pixels."""
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    return (h >= PLANT_H_LO) & (h <= PLANT_H_HI) & (s >= PLANT_S_MIN) & (v >= PLANT_V_MIN)


def plant_fraction(bgr: U8) -> float:
    """Share of plant-coloured pixels, measured on a smoothed <=256-px copy so
    that sensor noise on a grey wall does not count as saturated colour."""
    h, w = bgr.shape[:2]
    s = min(1.0, 256.0 / max(h, w))
    small = (
        cv2.resize(bgr, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
        if s < 1
        else bgr
    )
    return float(plant_pixels(cv2.GaussianBlur(small, (5, 5), 0)).mean())
