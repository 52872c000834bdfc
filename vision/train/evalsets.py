"""Evaluation photo sets and the three figures every report gives.

Why a separate module: calibration (validation split) and evaluation (test
split) must build their sets the same way, and both report accuracy of
answers, abstention and the **confidently-wrong share** (photos answered
wrongly with confidence >= 0.9, out of all photos) -- the figure that says how
often a farmer is told something false with conviction.

The *field check set* is built so the style shortcut cannot help: leaves of
one split pasted onto real field photos of the *same* held-out split (sharp or
out of focus; the training only ever saw training-split backgrounds), the real
in-field photos of that split as they are, and the same rice photos made to
look like lab photos.  Every photo goes through the runtime pipeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.colour import U8
from vision.diagnose import Diagnoser, Diagnosis
from vision.preprocess import decode
from vision.quality import QualityReport
from vision.train import fieldset
from vision.train.batches import lab_style
from vision.train.data import Preloaded
from vision.train.masks import foreground_mask

CONFIDENT = 0.9  # "confidently wrong" = a wrong answer at or above this confidence
CHECK_PARTS = ("lab_on_real_field", "real_field", "rice_lab_style")


def read(data_dir: Path, pre: Preloaded, i: int) -> bytes:
    return (data_dir / pre.items[i].path).read_bytes()


def encode(img: U8, quality: int = 90) -> bytes:
    ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return enc.tobytes()


def crops_of(pre: Preloaded) -> NDArray[np.str_]:
    return np.array([it.path.split("__")[0] for it in pre.items])


@dataclass
class Scored:
    """One photo after the model: enough to re-decide under other rules cheaply."""

    label: int
    crop: str
    quality: QualityReport
    logits: NDArray[np.float64]
    part: str = ""
    desc: dict[str, str] = field(default_factory=dict)


def run_photo(dx: Diagnoser, data: bytes, label: int, crop: str, part: str = "") -> Scored:
    dec = decode(data)
    q, x = dx.prepare(dec)
    lg = dx.photo_logits(dec, x) if q.ok else np.zeros(len(dx.labels), np.float64)
    return Scored(label, crop, q, lg, part)


def figures(decisions: Iterable[tuple[Diagnosis, str]]) -> dict[str, Any]:
    """n, answered share, abstention, accuracy of answers, confidently-wrong share."""
    n = answered = right = conf_wrong = 0
    reasons: dict[str, int] = {}
    for d, truth in decisions:
        n += 1
        reasons[d.reason] = reasons.get(d.reason, 0) + 1
        if not d.abstained:
            answered += 1
            ok = d.label == truth
            right += int(ok)
            conf_wrong += int(not ok and d.confidence >= CONFIDENT)
    return {
        "n": n,
        "answered": answered,
        "answered_correct": right,
        "coverage": answered / max(n, 1),
        "abstention": 1 - answered / max(n, 1),
        "answered_accuracy": right / max(answered, 1),
        "confidently_wrong": conf_wrong / max(n, 1),
        "by_reason": reasons,
    }


def decide_all(dx: Diagnoser, photos: list[Scored], with_crop: bool) -> list[tuple[Diagnosis, str]]:
    names = dx.labels.names
    return [(dx.decide(s.logits, s.quality, s.crop if with_crop else None), names[s.label]) for s in photos]


def top1(photos: list[Scored]) -> float:
    return float(np.mean([int(np.argmax(s.logits)) == s.label for s in photos])) if photos else 0.0


class _Leaves:
    """Full-resolution squares of dataset photos with fresh leaf masks (cached)."""

    def __init__(self, pre: Preloaded, data_dir: Path) -> None:
        self.pre, self.data_dir = pre, data_dir
        self.crops = crops_of(pre)
        self.cache: dict[int, tuple[U8, U8 | None]] = {}

    def full(self, i: int) -> U8:
        img = cv2.imread(str(self.data_dir / self.pre.items[i].path))
        if img is None:
            raise SystemExit(f"cannot read {self.pre.items[i].path}")
        return np.asarray(img, np.uint8)

    def get(self, i: int) -> tuple[U8, U8 | None]:
        if i not in self.cache:
            img = self.full(i)
            h, w = img.shape[:2]
            s = min(h, w)
            sq = np.ascontiguousarray(img[(h - s) // 2 : (h - s) // 2 + s, (w - s) // 2 : (w - s) // 2 + s])
            m = None if self.crops[i] == "rice" else foreground_mask(sq)
            self.cache[i] = (sq, m)
        return self.cache[i]

    def group(self, rng: np.random.Generator, i: int, pool: NDArray[np.int64]) -> list[tuple[U8, U8]]:
        """The leaf, sometimes with one or two more leaves of the same class behind it."""
        img, m = self.get(i)
        assert m is not None
        leaves = [(img, m)]
        if rng.random() < 0.35:
            same = pool[self.pre.labels[pool] == self.pre.labels[i]]
            for j in rng.choice(same, int(rng.integers(1, 3))):
                im2, m2 = self.get(int(j))
                if m2 is not None:
                    leaves.insert(0, (im2, m2))
        return leaves


def field_items(
    pre: Preloaded, data_dir: Path, split: int, n: int, seed: int
) -> list[tuple[bytes, int, dict[str, str], U8]]:
    """Field-*style* photos (synthetic and real backgrounds) from leaves of one split."""
    rng = np.random.default_rng(seed)
    idx = np.nonzero(pre.split == split)[0]
    lv = _Leaves(pre, data_dir)
    field_bgs = idx[lv.crops[idx] == "rice"]
    out: list[tuple[bytes, int, dict[str, str], U8]] = []
    for i in rng.choice(idx, n, replace=len(idx) < n):
        i = int(i)
        _img, m = lv.get(i)
        if m is None:
            photo, desc = fieldset.field_photo_infield(rng, lv.full(i))
        else:
            fb = lv.full(int(rng.choice(field_bgs))) if len(field_bgs) else None
            photo, desc = fieldset.field_photo(rng, lv.group(rng, i, idx), fb)
        out.append((fieldset.to_phone_jpeg(rng, photo), int(pre.labels[i]), desc, photo))
    return out


def field_check_items(
    pre: Preloaded, data_dir: Path, split: int, n_lab: int, seed: int
) -> list[tuple[bytes, int, str, str]]:
    """The shortcut-free field check set of one split: (jpeg, label, crop, part)."""
    rng = np.random.default_rng(seed)
    idx = np.nonzero(pre.split == split)[0]
    lv = _Leaves(pre, data_dir)
    rice = idx[lv.crops[idx] == "rice"]
    out: list[tuple[bytes, int, str, str]] = []
    masked = [int(i) for i in idx if lv.crops[int(i)] != "rice" and pre.masks[int(i)].max() > 0]
    n_done = 0
    for i in rng.permutation(masked):
        i = int(i)
        if n_done >= n_lab:
            break
        if lv.get(i)[1] is None:  # no separable background at full size
            continue
        n_done += 1
        bg = fieldset.real_field_background(rng, lv.full(int(rng.choice(rice))))
        photo, _desc = fieldset.field_photo(rng, lv.group(rng, i, idx), None, bg)
        out.append((fieldset.to_phone_jpeg(rng, photo), int(pre.labels[i]), str(lv.crops[i]), CHECK_PARTS[0]))
    for i in rice:
        i = int(i)
        out.append((read(data_dir, pre, i), int(pre.labels[i]), "rice", CHECK_PARTS[1]))
        styled = lab_style(rng, lv.get(i)[0], 384)
        out.append((encode(styled, int(rng.integers(70, 92))), int(pre.labels[i]), "rice", CHECK_PARTS[2]))
    return out


def ood_items(seed: int, n_synth: int, with_skimage: bool) -> list[tuple[str, bytes, U8]]:
    rng = np.random.default_rng(seed)
    items = [
        (f"synthetic:{k}", fieldset.to_phone_jpeg(rng, img), img)
        for k, img in fieldset.synthetic_ood(rng, n_synth)
    ]
    if with_skimage:
        for name, img in fieldset.skimage_photos():
            h, w = img.shape[:2]
            variants = [img, cv2.rotate(img, cv2.ROTATE_90_CLOCKWISE)]
            for _ in range(2):
                s = int(min(h, w) * rng.uniform(0.5, 0.8))
                y, x = int(rng.integers(0, h - s + 1)), int(rng.integers(0, w - s + 1))
                variants.append(np.ascontiguousarray(img[y : y + s, x : x + s]))
            for k, v in enumerate(variants):
                if min(v.shape[:2]) < 300:  # small library images: upscale like a phone photo would be
                    f = 360 / min(v.shape[:2])
                    v = cv2.resize(v, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
                items.append((f"skimage:{name}:{k}", encode(v), v))
    return items
