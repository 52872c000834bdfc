"""Public API: photo(s) of a leaf -> diagnosis with honest confidence.

    from vision.diagnose import Diagnoser, combine
    dx = Diagnoser.load()                 # model loaded once
    d = dx.diagnose(jpeg_bytes, crop="tomato")
    plant = combine([d1, d2, d3])          # several photos of one plant

The rule, in order: unreadable file -> ImageError; bad photo -> retake (reason
code from ``quality.MESSAGES``); unsupported crop -> abstain; energy score says
"not a leaf we know" -> abstain (``not_recognised``); with the field's crop given,
too little probability on that crop -> abstain (``crop_mismatch``, "this does not
look like <crop>"); calibrated confidence below the threshold -> abstain
(``low_confidence``, an officer looks); else the label.

Why the crop is a *prior* and not a filter: the app always knows the field's
crop, so the answer is chosen among that crop's classes (probabilities
renormalised within the crop).  But if the photo's evidence puts most of its
probability on other crops, renormalising would turn a weak guess into a
confident wrong label (a maize leaf photographed in a "rice" field) -- so the
model says the photo does not look like that crop instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from vision import MODEL_DIR
from vision.calibration import Calibration, energy, load_calibration, softmax
from vision.labels import LabelSet, load_labels
from vision.model import TFLiteClassifier
from vision.preprocess import Decoded, decode, leaf_box, model_input
from vision.quality import MESSAGES, QualityReport, assess

MODEL_FILE = "leaf_disease_int8.tflite"
CROP_NAMES: dict[str, tuple[str, str]] = {
    "corn": ("ngô", "maize (corn)"),
    "grape": ("nho", "grape"),
    "potato": ("khoai tây", "potato"),
    "rice": ("lúa", "rice"),
    "tomato": ("cà chua", "tomato"),
}

REASONS: dict[str, tuple[str, str]] = {
    **MESSAGES,
    "low_confidence": (
        "Chưa chắc chắn — cán bộ khuyến nông sẽ xem ảnh này.",
        "Not sure — an extension officer will look at this photo.",
    ),
    "not_recognised": (
        "Không nhận ra lá của cây trồng được hỗ trợ (ngô, nho, khoai tây, lúa, cà chua). "
        "Cán bộ sẽ xem ảnh này.",
        "Not recognised as a leaf of a supported crop (corn, grape, potato, rice, tomato). "
        "An officer will look.",
    ),
    "unsupported_crop": (
        "Hệ thống chưa hỗ trợ cây trồng này. Cán bộ sẽ xem ảnh.",
        "This crop is not supported yet. An officer will look at the photo.",
    ),
    "crop_mismatch": (
        "Ảnh này không giống lá {crop_vi}. Hãy chụp lại một lá của cây trồng trên ruộng, "
        "hoặc cán bộ sẽ xem ảnh.",
        "This does not look like a {crop_en} leaf. Retake a leaf of the field's crop, "
        "or an officer will look at the photo.",
    ),
    "photos_disagree": (
        "Các ảnh cho kết quả khác nhau — cán bộ khuyến nông sẽ xem.",
        "The photos disagree — an extension officer will look.",
    ),
    "no_usable_photo": (
        "Không có ảnh dùng được. Hãy chụp lại theo hướng dẫn.",
        "No usable photo. Please retake as advised.",
    ),
}


@dataclass(frozen=True)
class Candidate:
    label: str
    confidence: float


@dataclass(frozen=True)
class Diagnosis:
    label: str | None  # dataset class name, or None when abstaining
    confidence: float  # calibrated probability of the top class (0 when not classified)
    abstained: bool
    reason: str  # "ok" or a code in REASONS
    message_vi: str
    message_en: str
    top3: tuple[Candidate, ...]
    quality: QualityReport
    probs: tuple[float, ...] = ()  # calibrated class probabilities; empty if not classified
    energy: float | None = None
    threshold: float = 0.0  # abstain threshold this answer was judged by
    crop_probability: float | None = None  # probability the photo shows the given crop

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "confidence": round(self.confidence, 4),
            "abstained": self.abstained,
            "reason": self.reason,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "top3": [{"label": c.label, "confidence": round(c.confidence, 4)} for c in self.top3],
            "quality": {
                "ok": self.quality.ok,
                "reason": self.quality.reason,
                **{k: round(v, 3) for k, v in self.quality.metrics.items()},
            },
            "energy": None if self.energy is None else round(self.energy, 3),
            "crop_probability": None if self.crop_probability is None else round(self.crop_probability, 4),
        }


@dataclass(frozen=True)
class PlantDiagnosis:
    label: str | None
    confidence: float
    abstained: bool
    reason: str
    message_vi: str
    message_en: str
    top3: tuple[Candidate, ...]
    n_photos: int
    n_used: int  # photos that reached the classifier and looked like a known leaf
    agreement: float  # share of used photos whose own top-1 equals the plant label
    spread: float  # std of the per-photo probability of the plant label

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "confidence": round(self.confidence, 4),
            "abstained": self.abstained,
            "reason": self.reason,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "top3": [{"label": c.label, "confidence": round(c.confidence, 4)} for c in self.top3],
            "n_photos": self.n_photos,
            "n_used": self.n_used,
            "agreement": round(self.agreement, 4),
            "spread": round(self.spread, 4),
        }


def _top3(names: tuple[str, ...], probs: NDArray[np.float64]) -> tuple[Candidate, ...]:
    order = np.argsort(-probs)[:3]
    return tuple(Candidate(names[int(i)], float(probs[int(i)])) for i in order if probs[int(i)] > 0)


class Diagnoser:
    def __init__(self, classifier: TFLiteClassifier, labels: LabelSet, calibration: Calibration) -> None:
        if classifier.num_classes != len(labels):
            raise ValueError(
                f"model has {classifier.num_classes} outputs but labels.json has {len(labels)} classes"
            )
        if classifier.input_size != calibration.input_size:
            raise ValueError("calibration.json input_size does not match the model")
        self.classifier = classifier
        self.labels = labels
        self.calibration = calibration

    @classmethod
    def load(cls, model_dir: Path | None = None, num_threads: int | None = None) -> Diagnoser:
        d = model_dir or MODEL_DIR
        return cls(TFLiteClassifier(d / MODEL_FILE, num_threads), load_labels(d), load_calibration(d))

    # -- steps, public so evaluation can reuse them ---------------------------------
    def prepare(self, dec: Decoded) -> tuple[QualityReport, NDArray[np.uint8]]:
        q = assess(dec.image, dec.original_size, self.calibration.quality)
        x = model_input(dec.image, self.calibration.input_size, leaf_box(dec.image))
        return q, x

    def logits(self, x: NDArray[np.uint8], centre: NDArray[np.uint8] | None = None) -> NDArray[np.float64]:
        """Logits averaged over ``tta_views`` orientations of the crop (1, 2 or 4), plus
        ``centre`` (the whole photo's centre square) as one more view when given.

        A leaf has no canonical orientation, so mirrored/turned views are equally
        valid inputs; averaging them is cheap here (one invoke is a few ms, the JPEG
        decode dominates) and steadies the answer.  Calibration is fitted on the
        same averaged logits.
        """
        views = [x]
        n = self.calibration.tta_views
        if n >= 2:
            views.append(np.ascontiguousarray(x[:, ::-1]))
        if n >= 4:
            views.append(np.ascontiguousarray(np.rot90(x, 1)))
            views.append(np.ascontiguousarray(np.rot90(x, 3)))
        if centre is not None:
            views.append(centre)
        return np.asarray(np.mean([self.classifier.logits(v) for v in views], axis=0), np.float64)

    def photo_logits(self, dec: Decoded, x: NDArray[np.uint8]) -> NDArray[np.float64]:
        """The logits the runtime decides on: the leaf crop's views, and with
        ``centre_view`` also the centre square of the whole photo.

        Why the extra view: the leaf crop zooms onto the largest plant-coloured region,
        which in a field photo is sometimes a neighbouring leaf or only part of the
        sick one; the centre square is the framing the farmer chose.  One more invoke
        (~2.5 ms); on the validation split it let the calibrated abstain threshold
        drop a step without raising the confidently-wrong share past its target.
        """
        centre = None
        if self.calibration.centre_view:
            centre = model_input(dec.image, self.calibration.input_size)
        return self.logits(x, centre)

    def decide(
        self, logits: NDArray[np.float64], quality: QualityReport, crop: str | None = None
    ) -> Diagnosis:
        cal = self.calibration
        thr = cal.abstain_threshold
        if not quality.ok:
            return Diagnosis(
                None,
                0.0,
                True,
                quality.reason,
                quality.message_vi,
                quality.message_en,
                (),
                quality,
                threshold=thr,
            )
        if crop is not None and crop not in self.labels.crops:
            vi, en = REASONS["unsupported_crop"]
            return Diagnosis(None, 0.0, True, "unsupported_crop", vi, en, (), quality, threshold=thr)
        e = float(energy(logits))
        probs = softmax(logits, cal.temperature)
        p_crop: float | None = None
        if crop is not None:
            idx = list(self.labels.indices_for_crop(crop))
            p_crop = float(probs[idx].sum())
            sub = softmax(logits[idx], cal.temperature)
            probs = np.zeros_like(probs)
            probs[idx] = sub
            thr = cal.crop_abstain_threshold or thr  # 0 = not calibrated: the general rule
        names = self.labels.names
        top3 = _top3(names, probs)
        top = int(np.argmax(probs))
        conf = float(probs[top])
        ptuple = tuple(float(p) for p in probs)
        if e > cal.energy_threshold:
            vi, en = REASONS["not_recognised"]
            return Diagnosis(
                None, conf, True, "not_recognised", vi, en, top3, quality, ptuple, e, thr, p_crop
            )
        if crop is not None and p_crop is not None and p_crop < cal.crop_min_probability:
            cvi, cen = CROP_NAMES.get(crop, (crop, crop))
            vi, en = (m.format(crop_vi=cvi, crop_en=cen) for m in REASONS["crop_mismatch"])
            return Diagnosis(None, conf, True, "crop_mismatch", vi, en, top3, quality, ptuple, e, thr, p_crop)
        if conf < thr:
            vi, en = REASONS["low_confidence"]
            return Diagnosis(
                None, conf, True, "low_confidence", vi, en, top3, quality, ptuple, e, thr, p_crop
            )
        lb = self.labels.labels[top]
        return Diagnosis(lb.name, conf, False, "ok", lb.vi, lb.en, top3, quality, ptuple, e, thr, p_crop)

    def diagnose(self, image_bytes: bytes, crop: str | None = None) -> Diagnosis:
        """Raises ``preprocess.ImageError`` for unreadable / refused files."""
        dec = decode(image_bytes)
        q, x = self.prepare(dec)
        if not q.ok:
            return self.decide(np.zeros(len(self.labels)), q, crop)
        return self.decide(self.photo_logits(dec, x), q, crop)


def combine(
    diagnoses: list[Diagnosis] | tuple[Diagnosis, ...], names: tuple[str, ...] | None = None
) -> PlantDiagnosis:
    """Several photos of one plant -> one answer with its uncertainty.

    Averages the calibrated probability vectors of the photos that reached the
    classifier and passed the OOD check (a mixture, not a product: photos of one
    plant are far from independent, so multiplying would be overconfident).
    Abstains when the mean confidence is below the threshold or when the photos
    disagree (fewer than half share the plant-level top class).
    """
    n = len(diagnoses)
    used = [d for d in diagnoses if d.probs and d.reason in ("ok", "low_confidence")]
    thr = max((d.threshold for d in diagnoses), default=0.0)
    if names is None:
        names = load_labels().names
    if not used:
        retake = [d.reason for d in diagnoses if d.reason in MESSAGES and d.reason != "ok"]
        code = (
            "no_usable_photo"
            if retake or n == 0
            else (diagnoses[0].reason if diagnoses else "no_usable_photo")
        )
        vi, en = REASONS.get(code, REASONS["no_usable_photo"])
        if diagnoses and code == diagnoses[0].reason:
            vi, en = diagnoses[0].message_vi, diagnoses[0].message_en  # already names the crop
        return PlantDiagnosis(None, 0.0, True, code, vi, en, (), n, 0, 0.0, 0.0)
    p = np.array([d.probs for d in used], np.float64)
    mean = p.mean(axis=0)
    top = int(np.argmax(mean))
    conf = float(mean[top])
    agreement = float(np.mean(p.argmax(axis=1) == top))
    spread = float(p[:, top].std())
    top3 = _top3(names, mean)
    if len(used) >= 2 and agreement < 0.5:
        vi, en = REASONS["photos_disagree"]
        return PlantDiagnosis(
            None, conf, True, "photos_disagree", vi, en, top3, n, len(used), agreement, spread
        )
    if conf < thr:
        vi, en = REASONS["low_confidence"]
        return PlantDiagnosis(
            None, conf, True, "low_confidence", vi, en, top3, n, len(used), agreement, spread
        )
    name = names[top]
    try:
        lb = load_labels().by_name(name)
        vi, en = lb.vi, lb.en
    except KeyError:
        vi, en = name, name
    return PlantDiagnosis(name, conf, False, "ok", vi, en, top3, n, len(used), agreement, spread)
