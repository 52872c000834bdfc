"""Class labels: the one definition, read from ``model/labels.json``.

Index ``i`` of the label list is output ``i`` of the model.  Training, the
runtime and the tests all read the same file, so the class order cannot drift.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vision import MODEL_DIR

LABELS_FILE = "labels.json"


@dataclass(frozen=True)
class Label:
    """One class: ``name`` is the dataset folder name ``<crop>__<condition>``."""

    index: int
    name: str
    crop: str
    condition: str
    healthy: bool
    vi: str
    en: str


@dataclass(frozen=True)
class LabelSet:
    labels: tuple[Label, ...]

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(lb.name for lb in self.labels)

    @property
    def crops(self) -> tuple[str, ...]:
        """Crops in first-seen order (no duplicates)."""
        return tuple(dict.fromkeys(lb.crop for lb in self.labels))

    def by_name(self, name: str) -> Label:
        for lb in self.labels:
            if lb.name == name:
                return lb
        raise KeyError(name)

    def indices_for_crop(self, crop: str) -> tuple[int, ...]:
        return tuple(lb.index for lb in self.labels if lb.crop == crop)


def parse_labels(data: dict[str, object]) -> LabelSet:
    raw = data.get("classes")
    if not isinstance(raw, list) or not raw:
        raise ValueError("labels.json: 'classes' must be a non-empty list")
    out: list[Label] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ValueError(f"labels.json: class {i} is not an object")
        if int(item["index"]) != i:
            raise ValueError(f"labels.json: class {i} has index {item['index']}")
        name = str(item["name"])
        crop, _, condition = name.partition("__")
        if crop != item["crop"] or condition != item["condition"]:
            raise ValueError(f"labels.json: {name} disagrees with its crop/condition")
        out.append(
            Label(
                index=i,
                name=name,
                crop=crop,
                condition=condition,
                healthy=bool(item["healthy"]),
                vi=str(item["vi"]),
                en=str(item["en"]),
            )
        )
    if len({lb.name for lb in out}) != len(out):
        raise ValueError("labels.json: duplicate class names")
    return LabelSet(tuple(out))


def load_labels(model_dir: Path | None = None) -> LabelSet:
    path = (model_dir or MODEL_DIR) / LABELS_FILE
    return _load_cached(str(path))


@lru_cache(maxsize=4)
def _load_cached(path: str) -> LabelSet:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return parse_labels(data)
