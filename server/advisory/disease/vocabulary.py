"""The one disease vocabulary: classifier labels -> disease keys, names, catalogue targets, risk models.

Three parts of the system name diseases with different keys: the photo classifier
(``rice__blast``), the pesticide catalogue (target ``rice_blast``) and the weather risk models
(``rice_blast``). Matching them by string surgery (``label.split("__")``) silently gave a
rice-blast photo no treatments, so every place that names a disease reads this table instead
(``data/diseases.json``). Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from common.language import LANGS, words
from server.advisory import data_files

Names = dict[str, str]  # {lang: name}, one per language of LANGS


@dataclass(frozen=True)
class Disease:
    """A disease or pest the app names, with the keys the other tables use for it."""

    key: str
    names: Names
    crops: tuple[str, ...]  # registry crop keys
    targets: tuple[str, ...]  # target keys of the pesticide catalogue (may be empty)
    risk_model: str | None  # the weather risk model that warns of it, if any


@dataclass(frozen=True)
class Label:
    """One class of the photo classifier."""

    name: str  # e.g. "rice__blast"
    crop: str  # the classifier's crop ("corn", not the registry's "maize")
    disease: Disease | None  # None: a healthy leaf
    names: Names  # what the farmer reads: the disease's name, or "healthy rice leaf"

    @property
    def healthy(self) -> bool:
        return self.disease is None

    @property
    def targets(self) -> tuple[str, ...]:
        return self.disease.targets if self.disease else ()


def _raw() -> dict[str, Any]:
    raw: dict[str, Any] = data_files.load("diseases")
    return raw


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@cache
def diseases() -> dict[str, Disease]:
    """Every disease by key."""
    return {
        key: Disease(
            key,
            {lang: words(row["names"], lang) for lang in LANGS},
            tuple(row["crops"]),
            tuple(row.get("targets", ())),
            row.get("risk_model"),
        )
        for key, row in _raw()["diseases"].items()
    }


@cache
def labels() -> dict[str, Label]:
    """Every classifier label this vocabulary knows, in the data file's order."""
    raw = _raw()
    crops, healthy = raw["label_crops"], raw["healthy"]["names"]
    out: dict[str, Label] = {}
    for name, row in raw["labels"].items():
        crop_names = crops[row["crop"]]["names"]
        disease = diseases()[row["disease"]] if row["disease"] else None
        if disease is not None:
            names = {lang: _capital(disease.names[lang]) for lang in LANGS}
        else:
            names = {
                lang: _capital(words(healthy, lang).format(crop=words(crop_names, lang))) for lang in LANGS
            }
        out[name] = Label(name, row["crop"], disease, names)
    return out


def label(name: str | None) -> Label | None:
    """The classifier label ``name``, or None when it is unknown (or no label at all)."""
    return labels().get(name) if name else None


def disease(key: str | None) -> Disease | None:
    return diseases().get(key) if key else None


def label_name(name: str | None) -> Names | None:
    """Names of a classifier label in every language; None for an unknown one."""
    found = label(name)
    return dict(found.names) if found else None


def crop_names(classifier_crop: str) -> Names:
    """The classifier crop's name ("corn" -> ngô / maize); the key itself when unknown."""
    row = _raw()["label_crops"].get(classifier_crop)
    return dict(row["names"]) if row else {lang: classifier_crop for lang in LANGS}


@cache
def _crop_map() -> dict[str, str]:
    return {reg: crop for crop, row in _raw()["label_crops"].items() for reg in row["registry"]}


def classifier_crop(registry_crop: str) -> str:
    """The classifier's name for a registry crop ("maize" -> "corn"); unchanged when not mapped."""
    return _crop_map().get(registry_crop, registry_crop)


def labels_for_crop(registry_crop: str) -> list[Label]:
    """The classifier labels an officer may choose for a field of this crop (all when none match)."""
    crop = classifier_crop(registry_crop)
    mine = [lb for lb in labels().values() if lb.crop == crop]
    return mine or list(labels().values())


def missing(names: Iterable[str]) -> list[str]:
    """Classifier labels the vocabulary cannot name: each is a photo answer without words or treatments."""
    return [n for n in names if n not in labels()]
