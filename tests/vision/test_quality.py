from __future__ import annotations

import cv2
import numpy as np

from tests.vision import synth
from vision.quality import MESSAGES, QualityThresholds, assess

TH = QualityThresholds()


def _assess(img: np.ndarray) -> str:
    return assess(img, (img.shape[1], img.shape[0]), TH).reason


def test_leaf_passes() -> None:
    r = assess(synth.leaf(), (800, 600), TH)
    assert r.ok and r.reason == "ok"
    assert r.metrics["plant_fraction"] > 0.2


def test_wall_has_no_leaf() -> None:
    assert _assess(synth.wall()) == "no_leaf"


def test_skin_has_no_leaf() -> None:
    assert _assess(synth.skin()) == "no_leaf"


def test_blurry_photo_asks_for_retake() -> None:
    img = cv2.GaussianBlur(synth.leaf(), (0, 0), 12)
    assert _assess(img) == "blurry"


def test_tiny_photo() -> None:
    img = synth.leaf(120, 90)
    assert _assess(img) == "too_small"


def test_dark_and_bright() -> None:
    assert _assess((synth.leaf() * 0.1).astype(np.uint8)) == "too_dark"
    assert _assess(np.full((600, 800, 3), 252, np.uint8)) == "too_bright"


def test_messages_are_bilingual() -> None:
    for code, (vi, en) in MESSAGES.items():
        assert vi and en and vi != en, code
