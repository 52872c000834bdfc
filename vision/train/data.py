"""Dataset discovery, leakage-aware split and in-memory preload.

The split is by *group*: PlantVillage photographs the same leaf several times
and keeps a leaf/photo id in the original file name (``RS_Erly.B 8389``,
``GH_HL Leaf 259.1``); the rice set has copies named ``X (1).jpg``.  Images of
one group never straddle splits.  Corn and grape files were renamed upstream, so
near-duplicate photos are additionally merged by a perceptual (difference) hash.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.colour import U8
from vision.labels import LabelSet
from vision.train.masks import foreground_mask

PRELOAD = 192  # preloaded square side (the dataset's short side); training crops/warps to the model input
SEED = 20240611
SPLIT_FRACTIONS = (0.70, 0.15, 0.15)  # train, val, test
# Near-duplicates are found on 160-px squares whatever PRELOAD is, so the split (and the test
# set every model is compared on) does not move when the model input size changes.
HASH_SIDE = 160


def default_data_dir() -> Path:
    env = os.environ.get("RUONGSO_DATASET_DIR")
    if env:
        return Path(env)
    # vision/train/data.py -> repo root is parents[2]; the dataset is a sibling of the repo.
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "leaf-disease"


@dataclass(frozen=True)
class Item:
    path: str  # relative to the dataset dir, e.g. "tomato__healthy/abc.jpg"
    label: int
    group: str
    source_path: str


_AUG_SUFFIX = re.compile(r"(_180deg|_flipLR|_flipTB|_new30degFlipLR|_final_masked|_change_\d+| copy)+$", re.I)


def group_key(cls: str, source_path: str) -> str:
    base = source_path.rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if base.lower().endswith((".jpg", ".jpeg", ".png")) else base
    crop = cls.split("__")[0]
    if crop in ("tomato", "potato") and "___" in stem:
        core = stem.split("___", 1)[1]
        core = _AUG_SUFFIX.sub("", core)
        core = re.sub(r"\.\d+$", "", core)  # "Leaf 259.1" is another photo of leaf 259
        return f"{cls}:{core.strip()}"
    if crop == "rice":
        core = re.sub(r"\s*\(\d+\)$", "", stem)
        return f"{cls}:{core}"
    return f"{cls}:{stem}"


def read_manifest(data_dir: Path, labels: LabelSet) -> list[Item]:
    folders = sorted(p.name for p in data_dir.iterdir() if p.is_dir())
    if folders != sorted(labels.names):
        raise SystemExit(
            f"dataset classes {folders} differ from vision/model/labels.json {list(labels.names)}"
        )
    idx = {n: i for i, n in enumerate(labels.names)}
    items: list[Item] = []
    with open(data_dir / "MANIFEST.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            items.append(
                Item(
                    row["path"],
                    idx[row["class"]],
                    group_key(row["class"], row["source_path"]),
                    row["source_path"],
                )
            )
    return items


def _dhash(gray: U8) -> int:
    small = cv2.resize(gray, (9, 8), interpolation=cv2.INTER_AREA).astype(np.int16)
    bits = (small[:, 1:] > small[:, :-1]).flatten()
    return int(sum(1 << i for i, b in enumerate(bits) if b))


def _hash_view(img: U8) -> U8:
    if img.shape[0] == HASH_SIDE:
        return img
    return np.asarray(cv2.resize(img, (HASH_SIDE, HASH_SIDE), interpolation=cv2.INTER_AREA), np.uint8)


def merge_near_duplicates(items: list[Item], thumbs: U8, max_hamming: int = 4) -> list[Item]:
    """Union groups of images (same class) whose dHash differs by <= max_hamming bits."""
    grays = (cv2.cvtColor(_hash_view(t), cv2.COLOR_BGR2GRAY) for t in thumbs)
    hashes = np.array([_dhash(g) for g in grays], dtype=np.uint64)
    parent = {it.group: it.group for it in items}

    def find(g: str) -> str:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    by_label: dict[int, list[int]] = {}
    for i, it in enumerate(items):
        by_label.setdefault(it.label, []).append(i)
    for idxs in by_label.values():
        h = hashes[idxs]
        x = h[:, None] ^ h[None, :]
        # popcount of uint64 via byte view
        pc = np.unpackbits(x.view(np.uint8).reshape(len(idxs), len(idxs), 8), axis=2).sum(axis=2)
        ii, jj = np.nonzero(np.triu(pc <= max_hamming, k=1))
        for a, b in zip(ii.tolist(), jj.tolist(), strict=True):
            ra, rb = find(items[idxs[a]].group), find(items[idxs[b]].group)
            if ra != rb:
                parent[rb] = ra
    return [Item(it.path, it.label, find(it.group), it.source_path) for it in items]


def split_groups(items: list[Item], seed: int = SEED) -> NDArray[np.int8]:
    """0=train, 1=val, 2=test; stratified per class, by group, deterministic."""
    out = np.zeros(len(items), dtype=np.int8)
    by_label: dict[int, dict[str, list[int]]] = {}
    for i, it in enumerate(items):
        by_label.setdefault(it.label, {}).setdefault(it.group, []).append(i)
    for label, groups in sorted(by_label.items()):
        # Order groups by a seeded hash so the split does not depend on dict order.
        keys = sorted(groups, key=lambda g: hashlib.sha1(f"{seed}:{g}".encode()).hexdigest())
        n = sum(len(groups[g]) for g in keys)
        cum = 0
        for g in keys:
            frac = cum / n
            s = (
                0
                if frac < SPLIT_FRACTIONS[0]
                else (1 if frac < SPLIT_FRACTIONS[0] + SPLIT_FRACTIONS[1] else 2)
            )
            for i in groups[g]:
                out[i] = s
            cum += len(groups[g])
        del label
    return out


def _load_one(path: Path, in_field: bool) -> tuple[U8, U8]:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise SystemExit(f"cannot read {path}")
    h, w = img.shape[:2]
    s = min(h, w)
    y0, x0 = (h - s) // 2, (w - s) // 2
    sq = cv2.resize(img[y0 : y0 + s, x0 : x0 + s], (PRELOAD, PRELOAD), interpolation=cv2.INTER_AREA)
    # In-field photos (rice) have no separable background; never cut them out.
    m = None if in_field else foreground_mask(sq)
    if m is None:
        m = np.zeros((PRELOAD, PRELOAD), np.uint8)  # all-zero = "no usable mask"
    return sq, m


@dataclass
class Preloaded:
    items: list[Item]
    images: U8  # N x PRELOAD x PRELOAD x 3, BGR
    masks: U8  # N x PRELOAD x PRELOAD, 255 = leaf; all zero if none
    labels: NDArray[np.int64]
    split: NDArray[np.int8]


def preload(data_dir: Path, labels: LabelSet, threads: int = 2) -> Preloaded:
    items = read_manifest(data_dir, labels)
    with ThreadPoolExecutor(threads) as ex:
        loaded = list(
            ex.map(lambda it: _load_one(data_dir / it.path, labels.labels[it.label].crop == "rice"), items)
        )
    images = np.stack([a for a, _ in loaded])
    masks = np.stack([m for _, m in loaded])
    items = merge_near_duplicates(items, images)
    split = split_groups(items)
    lab = np.array([it.label for it in items], dtype=np.int64)
    return Preloaded(items, images, masks, lab, split)
