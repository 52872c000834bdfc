"""Photo quality gate: ask for a retake instead of guessing from a bad photo.

Checks, cheapest first: too small, too dark / too bright (luminance percentiles,
so a leaf on a black board is not "dark"), blurry (variance of the Laplacian,
Pech-Pacheco et al. 2000, ICPR, "Diatom autofocusing in brightfield microscopy"),
and no leaf-like region (share of plant-coloured pixels, see ``colour.py``).
Thresholds live in ``model/calibration.json`` (measured on the training split).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.colour import plant_fraction

ANALYSIS_SIDE = 192  # blur is measured at a fixed scale so it does not depend on the phone

MESSAGES: dict[str, tuple[str, str]] = {
    "ok": ("Ảnh đạt yêu cầu.", "Photo is usable."),
    "too_small": (
        "Ảnh quá nhỏ. Hãy chụp lại gần lá hơn, ở độ phân giải đầy đủ.",
        "Photo is too small. Please retake closer to the leaf at full resolution.",
    ),
    "too_dark": (
        "Ảnh quá tối. Hãy chụp lại ở nơi có nhiều ánh sáng hơn.",
        "Photo is too dark. Please retake in better light.",
    ),
    "too_bright": (
        "Ảnh bị cháy sáng. Hãy tránh nắng chiếu thẳng hoặc đèn flash rồi chụp lại.",
        "Photo is overexposed. Avoid direct sun or flash and retake.",
    ),
    "blurry": (
        "Ảnh bị mờ. Hãy giữ chắc máy, chạm để lấy nét vào lá rồi chụp lại.",
        "Photo is blurry. Hold the phone steady, tap to focus on the leaf, and retake.",
    ),
    "no_leaf": (
        "Không thấy lá cây trong ảnh. Hãy chụp rõ một lá bị bệnh, lấp gần kín khung hình.",
        "No leaf found in the photo. Please photograph one affected leaf filling most of the frame.",
    ),
}


@dataclass(frozen=True)
class QualityThresholds:
    min_side: int = 150
    dark_p95: float = 45.0
    bright_p5: float = 235.0
    bright_clipped: float = 0.6
    blur_min: float = 12.0
    plant_min: float = 0.04


@dataclass(frozen=True)
class QualityReport:
    ok: bool
    reason: str  # "ok" or a retake code from MESSAGES
    message_vi: str
    message_en: str
    metrics: dict[str, float] = field(default_factory=dict)


def blur_score(bgr: NDArray[np.uint8]) -> float:
    g = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    h, w = g.shape
    s = ANALYSIS_SIDE / min(h, w)
    g = cv2.resize(
        g,
        (max(1, round(w * s)), max(1, round(h * s))),
        interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR,
    )
    return float(cv2.Laplacian(g, cv2.CV_64F).var())


def measure(bgr: NDArray[np.uint8], original_size: tuple[int, int]) -> dict[str, float]:
    g = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    # Percentiles from a 256-bin histogram: exact for uint8 and much cheaper than a sort.
    cdf = np.cumsum(np.bincount(g.ravel(), minlength=256)) / g.size
    p5, p95 = int(np.searchsorted(cdf, 0.05)), int(np.searchsorted(cdf, 0.95))
    return {
        "width": float(original_size[0]),
        "height": float(original_size[1]),
        "luma_p5": float(p5),
        "luma_p95": float(p95),
        "clipped": float((g >= 250).mean()),
        "blur": blur_score(bgr),
        "plant_fraction": plant_fraction(bgr),
    }


def assess(bgr: NDArray[np.uint8], original_size: tuple[int, int], th: QualityThresholds) -> QualityReport:
    """``bgr`` is the decoded (possibly reduced) upright photo; size is the original."""
    m = measure(bgr, original_size)
    reason = "ok"
    if min(original_size) < th.min_side:
        reason = "too_small"
    elif m["luma_p95"] < th.dark_p95:
        reason = "too_dark"
    elif m["luma_p5"] > th.bright_p5 or m["clipped"] > th.bright_clipped:
        reason = "too_bright"
    elif m["blur"] < th.blur_min:
        reason = "blurry"
    elif m["plant_fraction"] < th.plant_min:
        reason = "no_leaf"
    vi, en = MESSAGES[reason]
    return QualityReport(reason == "ok", reason, vi, en, m)
