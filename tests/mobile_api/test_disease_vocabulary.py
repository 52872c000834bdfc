"""One disease vocabulary: every label of the shipped classifier is named and, where the pesticide
catalogue has products for its disease, reaches them; the other tables' keys agree with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.advisory.compliance import catalogue
from server.advisory.disease import vocabulary
from server.advisory.disease.risk import MODELS
from server.farm import review
from vision.labels import load_labels

STATIC = Path(__file__).resolve().parents[2] / "mobile_api" / "static"
SHIPPED = load_labels()  # vision/model/labels.json: the classes of the model the app loads


def _catalogue_targets(registry_crops: tuple[str, ...]) -> set[str]:
    """Targets of products labelled for any of these crops."""
    return {t for p in catalogue.products().values() if set(p.crops) & set(registry_crops) for t in p.targets}


def _registry_crops(classifier_crop: str) -> tuple[str, ...]:
    return tuple(c for c in ("maize", "sweet_corn", "rice", "tomato", "potato", "grape")
                 if vocabulary.classifier_crop(c) == classifier_crop)  # fmt: skip


@pytest.mark.parametrize("shipped", SHIPPED.labels, ids=lambda lb: lb.name)
def test_every_label_of_the_shipped_model_is_named_and_treated(shipped: object) -> None:
    name, crop, healthy = shipped.name, shipped.crop, shipped.healthy  # type: ignore[attr-defined]
    entry = vocabulary.label(name)
    assert entry is not None, f"{name} has no row in data/diseases.json 'labels'"
    assert entry.names["vi"].strip() and entry.names["en"].strip()
    assert entry.crop == crop and entry.healthy == healthy
    crops = _registry_crops(crop)
    assert crops, f"no registry crop maps to the classifier's {crop}"
    if entry.disease is None:
        assert review.treatments(name, crops[0], "VN") == []
        return
    known = _catalogue_targets(crops)
    assert set(entry.targets) <= {t for p in catalogue.products().values() for t in p.targets}
    # A catalogue target that names this disease (rice_blast for rice__blast, mite for spider
    # mites) must be mapped: that is how a rice-blast photo once got no treatments.
    condition = name.split("__", 1)[1]
    alike = {t for t in known if t in f"{crop}_{condition}" or t in f"{entry.disease.key}" or condition in t}
    assert alike <= set(entry.targets), f"{name}: catalogue targets {alike} not mapped"
    permitted = [
        review.treatments(name, c, "VN") for c in crops if set(entry.targets) & _catalogue_targets((c,))
    ]
    assert all(permitted), f"{name}: the catalogue has products for {entry.targets} but none reach the app"


def test_rice_blast_and_spider_mites_reach_their_products() -> None:
    blast = {p["name"] for p in review.treatments("rice__blast", "rice", "VN")}
    assert blast == {"Amistar Top 325SC", "Beam 75WP", "Fuji-One 40EC", "Kasumin 2SL"}  # not banned Bavistin
    assert [p["name"] for p in review.treatments("tomato__spider_mites", "tomato", "VN")] == [
        "Vertimec 1.8EC"
    ]
    assert review.treatments("tomato__healthy", "tomato", "VN") == []
    assert review.treatments("rice__no_such_thing", "rice", "VN") == []


def test_an_unmapped_label_is_reported() -> None:
    """What the walk above relies on: a retrained model's new class shows up as missing."""
    names = [*SHIPPED.names, "rice__false_smut"]
    assert vocabulary.missing(names) == ["rice__false_smut"]
    assert vocabulary.label("rice__false_smut") is None


def test_the_vocabulary_names_no_label_the_model_lacks_and_every_risk_model_exists() -> None:
    assert set(vocabulary.labels()) == set(SHIPPED.names)
    for disease in vocabulary.diseases().values():
        assert disease.risk_model is None or disease.risk_model in MODELS, disease.key
    assert {key for key in MODELS} <= set(vocabulary.diseases())
    assert vocabulary.label("tomato__septoria_leaf_spot").disease.risk_model == "early_blight"  # type: ignore[union-attr]
    assert vocabulary.classifier_crop("maize") == "corn" and vocabulary.classifier_crop("rice") == "rice"
