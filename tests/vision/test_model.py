"""The committed model, labels and calibration agree with each other."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from vision import MODEL_DIR
from vision.calibration import load_calibration
from vision.diagnose import MODEL_FILE
from vision.labels import load_labels
from vision.model import TFLiteClassifier
from vision.train.data import default_data_dir
from vision.train.pretrained import LICENCE_FILE


def test_labels_json_is_consistent_with_model() -> None:
    labels = load_labels()
    clf = TFLiteClassifier(MODEL_DIR / MODEL_FILE)
    assert clf.num_classes == len(labels) == 26
    cal = load_calibration(MODEL_DIR)
    assert clf.input_size == cal.input_size
    for i, lb in enumerate(labels.labels):
        assert lb.index == i
        assert re.fullmatch(r"[a-z]+__[a-z_]+", lb.name)
        assert lb.name == f"{lb.crop}__{lb.condition}"
        assert " — " in lb.vi and " — " in lb.en
    assert set(labels.crops) == {"corn", "grape", "potato", "rice", "tomato"}


def test_model_file_is_small_and_int8() -> None:
    path = MODEL_DIR / MODEL_FILE
    assert path.stat().st_size <= 8 * 1000 * 1000  # issue 15: model file <= 8 MB
    clf = TFLiteClassifier(path)
    out = clf.logits(np.zeros((clf.input_size, clf.input_size, 3), np.uint8))
    assert out.shape == (26,) and np.isfinite(out).all()


def test_calibration_values_are_sane() -> None:
    cal = load_calibration(MODEL_DIR)
    assert 0.05 < cal.temperature < 20
    assert 0.0 < cal.abstain_threshold < 1.0
    assert 0.0 < cal.quality.plant_min < 0.5


def test_labels_match_dataset_folders_when_available() -> None:
    # The dataset is a sibling of the repository (or $RUONGSO_DATASET_DIR); skip visibly elsewhere.
    root = default_data_dir()
    if not root.is_dir():
        pytest.skip(f"dataset not found at {root}")
    folders = sorted(p.name for p in root.iterdir() if p.is_dir())
    assert folders == sorted(load_labels().names)


def test_metrics_file_reports_the_committed_model() -> None:
    m = json.loads((MODEL_DIR / "metrics.json").read_text(encoding="utf-8"))
    assert m["model_bytes"] == (MODEL_DIR / MODEL_FILE).stat().st_size


def test_pretrained_weights_licence_sits_beside_the_model() -> None:
    # The model is derived from Apache-2.0 EfficientNet-Lite0 ImageNet weights: the licence
    # text and the credit travel with the file.
    text = (MODEL_DIR / LICENCE_FILE).read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0" in text
    assert "ML Illustrated" in text and "Google" in text and MODEL_FILE in text


def test_the_servers_thread_count_does_not_change_the_answer() -> None:
    """Calibration and evaluation run the model on one thread, the server on two: the logits
    behind every threshold must be the same bits, or the published figures would not hold."""
    import cv2

    from tests.vision import synth

    path = MODEL_DIR / MODEL_FILE
    one, two = TFLiteClassifier(path, num_threads=1), TFLiteClassifier(path, num_threads=2)
    for seed in range(4):
        img = np.asarray(cv2.resize(synth.leaf(seed=seed), (one.input_size, one.input_size)), np.uint8)
        assert np.array_equal(one.logits(img), two.logits(img))
