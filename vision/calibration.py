"""Confidence calibration and out-of-distribution scores (pure numpy).

* Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural
  Networks", ICML): one scalar T fitted on the validation split by minimising NLL.
* Energy score E(x) = -logsumexp(logits) (Liu et al. 2020, "Energy-based
  Out-of-distribution Detection", NeurIPS, arXiv:2010.03759); the net was trained
  with outlier exposure so non-leaf inputs get flat, low logits (high energy).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from vision.quality import QualityThresholds

CALIBRATION_FILE = "calibration.json"
F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Calibration:
    temperature: float = 1.0
    abstain_threshold: float = 0.6  # calibrated top-1 probability below this -> "not sure"
    energy_threshold: float = 0.0  # energy above this -> not a known leaf
    input_size: int = 128
    tta_views: int = 1  # orientations averaged per photo (1, 2 or 4), see Diagnoser.logits
    # Also average in the whole photo's centre square as one more view (Diagnoser.photo_logits).
    centre_view: bool = False
    # With the field's crop given: below this probability of that crop -> "does not look
    # like <crop>" instead of a forced within-crop label (0 = never).
    crop_min_probability: float = 0.0
    # With the crop given, the within-crop probability must reach this instead of
    # abstain_threshold (it is renormalised, so it runs higher); 0 = use abstain_threshold.
    crop_abstain_threshold: float = 0.0
    quality: QualityThresholds = field(default_factory=QualityThresholds)

    def to_json(self) -> str:
        d = asdict(self)
        return json.dumps(d, indent=1, sort_keys=True)

    @staticmethod
    def from_dict(d: dict[str, object]) -> Calibration:
        q = d.get("quality", {})
        qd = q if isinstance(q, dict) else {}
        qnames = {f.name for f in fields(QualityThresholds)}
        qt = QualityThresholds(**{k: v for k, v in qd.items() if k in qnames})
        names = {f.name for f in fields(Calibration)} - {"quality"}
        kw = {k: v for k, v in d.items() if k in names}
        return Calibration(quality=qt, **kw)  # type: ignore[arg-type]


def load_calibration(model_dir: Path) -> Calibration:
    path = model_dir / CALIBRATION_FILE
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object")
    return Calibration.from_dict(data)


def softmax(logits: NDArray[np.floating], temperature: float = 1.0) -> F64:
    z = np.asarray(logits, np.float64) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=-1, keepdims=True), np.float64)


def energy(logits: NDArray[np.floating]) -> F64:
    z = np.asarray(logits, np.float64)
    m = z.max(axis=-1, keepdims=True)
    return np.asarray(-(m[..., 0] + np.log(np.exp(z - m).sum(axis=-1))), np.float64)


def nll(logits: NDArray[np.floating], labels: NDArray[np.integer], temperature: float) -> float:
    p = softmax(logits, temperature)
    return float(-np.mean(np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, 1.0))))


def fit_temperature(logits: NDArray[np.floating], labels: NDArray[np.integer]) -> float:
    """Golden-section search on log T in [log 0.05, log 20]; NLL is unimodal in T."""
    lo, hi = np.log(0.05), np.log(20.0)
    g = (np.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = nll(logits, labels, float(np.exp(a))), nll(logits, labels, float(np.exp(b)))
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = nll(logits, labels, float(np.exp(a)))
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = nll(logits, labels, float(np.exp(b)))
    return float(np.exp((lo + hi) / 2))


def expected_calibration_error(
    probs: NDArray[np.floating], labels: NDArray[np.integer], bins: int = 15
) -> float:
    conf = probs.max(axis=1)
    pred = probs.argmax(axis=1)
    correct = (pred == labels).astype(np.float64)
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in itertools.pairwise(edges):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            ece += sel.mean() * abs(correct[sel].mean() - conf[sel].mean())
    return float(ece)
