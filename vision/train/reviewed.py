"""Officer-reviewed photos: read them, measure officer/model agreement, train on them.

Why: the only real field photos from Vietnam the project will ever have are the
ones farmers send and officers review.  The officer training export
(``GET /api/v1/officer/training-export``, CSV) has one row per photo:
``image_sha256, label, model_label, action, crop, diagnosis_id, reviewed_at``.
Put that file as ``corrections.csv`` in a folder next to the photos, each named
``<image_sha256>.jpg`` (the stored, metadata-free JPEG), and pass the folder as
``farm vision train --reviewed DIR``.  The photos join the *training* split
(they are never in the test split, so the reported test numbers stay comparable
between retrains); the agreement table goes into ``metrics.json`` and the model
card, so every retrain says how many reviewed photos it used.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.labels import LabelSet
from vision.train.data import PRELOAD, Item, Preloaded

CSV_NAME = "corrections.csv"


@dataclass
class Reviewed:
    labels: LabelSet
    images: list[NDArray[np.uint8]] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    model_labels: list[str | None] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def empty(labels: LabelSet) -> Reviewed:
        return Reviewed(labels)

    def agreement(self) -> dict[str, dict[str, float | int]]:
        """Per officer label: photos, and the share where the model had said the same."""
        out: dict[str, dict[str, float | int]] = {}
        for t, ml in zip(self.targets, self.model_labels, strict=True):
            name = self.labels.names[t]
            row = out.setdefault(name, {"n": 0, "model_agreed": 0})
            row["n"] = int(row["n"]) + 1
            row["model_agreed"] = int(row["model_agreed"]) + int(ml == name)
        for row in out.values():
            row["agreement"] = float(row["model_agreed"]) / max(int(row["n"]), 1)
        return out

    def summary(self) -> str:
        skipped = f"; skipped {self.skipped}" if self.skipped else ""
        return f"{len(self.targets)} used for training{skipped}"

    def to_metrics(self) -> dict[str, Any]:
        return {"used": len(self.targets), "skipped": dict(self.skipped), "per_class": self.agreement()}


def _square(img: NDArray[np.uint8]) -> NDArray[np.uint8]:
    h, w = img.shape[:2]
    s = min(h, w)
    sq = img[(h - s) // 2 : (h - s) // 2 + s, (w - s) // 2 : (w - s) // 2 + s]
    return np.asarray(cv2.resize(sq, (PRELOAD, PRELOAD), interpolation=cv2.INTER_AREA), np.uint8)


def load(folder: Path, labels: LabelSet) -> Reviewed:
    """Read ``folder/corrections.csv`` and the photos it names; count what is skipped."""
    rev = Reviewed(labels)
    idx = {n: i for i, n in enumerate(labels.names)}
    with open(folder / CSV_NAME, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("action") not in ("confirm", "correct"):
                rev.skipped["not_a_decision"] = rev.skipped.get("not_a_decision", 0) + 1
                continue
            lab = idx.get(row.get("label") or "")
            if lab is None:
                rev.skipped["unknown_label"] = rev.skipped.get("unknown_label", 0) + 1
                continue
            digest = row["image_sha256"]
            img = cv2.imread(str(folder / f"{digest}.jpg"), cv2.IMREAD_COLOR)
            if img is None:
                rev.skipped["missing_photo"] = rev.skipped.get("missing_photo", 0) + 1
                continue
            rev.images.append(_square(np.asarray(img, np.uint8)))
            rev.targets.append(lab)
            rev.digests.append(digest)
            rev.model_labels.append(row.get("model_label") or None)
    return rev


def add_to_training(pre: Preloaded, rev: Reviewed) -> Preloaded:
    """A copy of ``pre`` with the reviewed photos appended to the training split.

    They are treated like in-field photos (no cut-out mask); the path starts with
    the class name like the dataset's, so the sampler knows their crop."""
    if not rev.targets:
        return pre
    n = len(rev.targets)
    items = pre.items + [
        Item(f"{rev.labels.names[t]}/reviewed-{d}.jpg", t, f"reviewed:{d}", d)
        for d, t in zip(rev.digests, rev.targets, strict=True)
    ]
    return Preloaded(
        items,
        np.concatenate([pre.images, np.stack(rev.images)]),
        np.concatenate([pre.masks, np.zeros((n, PRELOAD, PRELOAD), np.uint8)]),
        np.concatenate([pre.labels, np.array(rev.targets, np.int64)]),
        np.concatenate([pre.split, np.zeros(n, np.int8)]),
    )
