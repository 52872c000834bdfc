"""Figures for the model card: confusion matrix and example tiles (OpenCV only).

Kept apart from the evaluation logic so neither module grows past a readable size.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.colour import U8

REPO = Path(__file__).resolve().parents[2]
FIG_DIR = REPO / "docs" / "img" / "vision"


def confusion_png(cm: NDArray[np.int64], names: tuple[str, ...], path: Path, title: str) -> None:
    k = len(names)
    cell, left, top = 26, 250, 60
    img = np.full((top + k * cell + 20, left + k * cell + 20, 3), 255, np.uint8)
    rown = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    for r in range(k):
        cv2.putText(
            img,
            f"{r:2d} {names[r]}",
            (4, top + r * cell + 17),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.38,
            (0, 0, 0),
            1,
            cv2.LINE_AA,
        )
        cv2.putText(
            img,
            f"{r}",
            (left + r * cell + 5, top - 8),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.35,
            (0, 0, 0),
            1,
            cv2.LINE_AA,
        )
        for c in range(k):
            v = float(rown[r, c])
            col = (
                (int(255 * (1 - v)), int(255 * (1 - 0.6 * v)), 255)
                if r != c
                else (int(255 * (1 - v)), 255 - int(90 * v), int(255 * (1 - v)))
            )
            x0, y0 = left + c * cell, top + r * cell
            cv2.rectangle(img, (x0, y0), (x0 + cell - 1, y0 + cell - 1), col, -1)
            if cm[r, c]:
                txt = str(int(cm[r, c]))
                cv2.putText(
                    img, txt, (x0 + 3, y0 + 17), cv2.FONT_HERSHEY_SIMPLEX, 0.34, (0, 0, 0), 1, cv2.LINE_AA
                )
    cv2.putText(img, title, (4, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(
        img,
        "rows: true class, columns: predicted (int8 model, test split)",
        (4, 42),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.42,
        (60, 60, 60),
        1,
        cv2.LINE_AA,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), img)


def tiles(examples: list[tuple[U8, str]], path: Path, cols: int = 6, rows: int = 4) -> None:
    """A grid of labelled thumbnails (skipped when there are too few examples)."""
    ts = []
    for photo, txt in examples[: cols * rows]:
        t = cv2.resize(photo, (240, 180))
        cv2.rectangle(t, (0, 0), (240, 18), (255, 255, 255), -1)
        cv2.putText(t, txt, (3, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
        ts.append(t)
    if len(ts) < cols * rows:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.vstack([np.hstack(ts[r * cols : r * cols + cols]) for r in range(rows)]))
