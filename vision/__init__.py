"""Crop-disease photo diagnosis for Ruộng Số.

Runtime needs only numpy, OpenCV, Pillow and ai-edge-litert; TensorFlow is a
training-only dependency (see ``requirements-train.txt``).
"""

from __future__ import annotations

__all__ = ["MODEL_DIR"]

from pathlib import Path

#: Directory holding the committed model, labels and calibration files.
MODEL_DIR = Path(__file__).resolve().parent / "model"
