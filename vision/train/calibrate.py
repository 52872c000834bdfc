"""Calibrate the int8 model on the *validation* split: temperature, OOD and abstain
thresholds, and the crop-prior thresholds.

Runs the runtime pipeline (decode, quality gate, leaf crop, int8 model, view
averaging) so the thresholds describe what the server does.  Every threshold is
chosen on validation photos only -- clean ones and the shortcut-free field
check set built from validation leaves and validation field backgrounds -- so
the test numbers stay a blind check.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from vision.calibration import Calibration, energy, expected_calibration_error, fit_temperature, nll, softmax
from vision.diagnose import MODEL_FILE, Diagnoser
from vision.labels import LabelSet
from vision.model import TFLiteClassifier
from vision.preprocess import decode
from vision.quality import QualityThresholds, measure
from vision.train import evalsets
from vision.train.data import Preloaded
from vision.train.evalsets import Scored

# Sizes of the generated evaluation sets (module constants so a smoke test can shrink them).
N_FIELD_VAL, N_CHECK_VAL, N_OOD_VAL = 600, 600, 220
TTA_VIEWS = 4
# Whole-photo centre square as a fifth view, chosen on the validation split: it answered
# more than 8 orientations or 2+2 views at fewer invokes; 8+8 views answered more still but
# 16 invokes would break the <= 2x latency goal.
CENTRE_VIEW = True
# Targets the abstain rule is tuned to on validation: issue 15's goals, each with a margin.
# Test split: >= 97 % right of what it answers, <= 1 % confidently wrong -> clean validation
# >= 98 % (one point, ~2.5 standard errors at ~1,350 answered photos) and <= 0.5 % (half).
# Field check set: >= 80 % right, <= 3 % confidently wrong -> validation field photos >= 90 %
# and <= 1 % (a third).  A stricter clean target (99 %) cost ~6 points of coverage for no goal.
CLEAN_MIN_ACC, FIELD_MIN_ACC = 0.98, 0.90
CLEAN_MAX_CONF_WRONG, FIELD_MAX_CONF_WRONG = 0.005, 0.01
# Thresholds at which the calibration summary records the validation trade-off (the card's table).
SWEEP = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97)
# The crop prior may refuse at most this share of validation photos whose true crop was given.
CROP_PRIOR_MAX_REFUSED = 0.03


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def quality_thresholds(pre: Preloaded, data_dir: Path) -> tuple[QualityThresholds, dict[str, float]]:
    """Quality gate limits that never reject more than ~0.5 % of real dataset photos."""
    tr = np.nonzero(pre.split == 0)[0]
    ms = []
    for i in tr[::3]:
        dec = decode(evalsets.read(data_dir, pre, int(i)))
        ms.append(measure(dec.image, dec.original_size))
    blur = np.array([m["blur"] for m in ms])
    plant = np.array([m["plant_fraction"] for m in ms])
    p95 = np.array([m["luma_p95"] for m in ms])
    d = QualityThresholds()
    th = replace(
        d,
        blur_min=float(min(d.blur_min, 0.8 * np.percentile(blur, 0.5))),
        plant_min=float(max(0.01, min(d.plant_min, 0.8 * np.percentile(plant, 0.5)))),
        dark_p95=float(min(d.dark_p95, 0.8 * np.percentile(p95, 0.5))),
    )
    stats = {
        "blur_p0.5": float(np.percentile(blur, 0.5)),
        "blur_p50": float(np.median(blur)),
        "plant_p0.5": float(np.percentile(plant, 0.5)),
        "plant_p50": float(np.median(plant)),
        "luma_p95_p0.5": float(np.percentile(p95, 0.5)),
    }
    return th, stats


def validation_photos(dx: Diagnoser, pre: Preloaded, data_dir: Path) -> dict[str, list[Scored]]:
    """Validation photos through the pipeline: clean, field check set, field-style set."""
    crops = evalsets.crops_of(pre)
    val = np.nonzero(pre.split == 1)[0]
    clean = [
        evalsets.run_photo(
            dx, evalsets.read(data_dir, pre, int(i)), int(pre.labels[i]), str(crops[i]), "clean"
        )
        for i in val
    ]
    check = [
        evalsets.run_photo(dx, data, lab, crop, part)
        for data, lab, crop, part in evalsets.field_check_items(pre, data_dir, 1, N_CHECK_VAL, 7101)
    ]
    style = [
        evalsets.run_photo(dx, data, lab, dx.labels.labels[lab].crop, "field_style")
        for data, lab, _d, _p in evalsets.field_items(pre, data_dir, 1, N_FIELD_VAL, 7001)
    ]
    return {"clean": clean, "check": check, "field_style": style}


def _meets(dx: Diagnoser, sets: dict[str, list[Scored]], with_crop: bool) -> bool:
    c = evalsets.figures(evalsets.decide_all(dx, sets["clean"], with_crop))
    f = evalsets.figures(evalsets.decide_all(dx, sets["check"] + sets["field_style"], with_crop))
    return (
        c["answered_accuracy"] >= CLEAN_MIN_ACC
        and f["answered_accuracy"] >= FIELD_MIN_ACC
        and c["confidently_wrong"] <= CLEAN_MAX_CONF_WRONG
        and f["confidently_wrong"] <= FIELD_MAX_CONF_WRONG
    )


def _sweep(dx: Diagnoser, sets: dict[str, list[Scored]]) -> list[dict[str, float]]:
    """Validation figures at fixed thresholds (no crop), so the card can show what the
    chosen threshold trades: coverage against accuracy of answers."""
    keep, rows = dx.calibration, []
    field = sets["check"] + sets["field_style"]
    for t in SWEEP:
        dx.calibration = replace(keep, abstain_threshold=t)
        c = evalsets.figures(evalsets.decide_all(dx, sets["clean"], False))
        f = evalsets.figures(evalsets.decide_all(dx, field, False))
        row = {"threshold": t}
        for name, fig in (("clean", c), ("field", f)):
            for k in ("abstention", "answered_accuracy", "confidently_wrong"):
                row[f"{name}_{k}"] = fig[k]
        rows.append(row)
    dx.calibration = keep
    return rows


def _smallest_threshold(dx: Diagnoser, sets: dict[str, list[Scored]], with_crop: bool) -> float:
    """The lowest abstain threshold that meets the validation targets (answers most)."""
    for t in np.arange(0.40, 0.991, 0.01):
        t = float(round(t, 2))
        cal = dx.calibration
        cal = replace(cal, crop_abstain_threshold=t) if with_crop else replace(cal, abstain_threshold=t)
        dx.calibration = cal
        if _meets(dx, sets, with_crop):
            return t
    return 0.99


def stage_calibrate(pre: Preloaded, labels: LabelSet, model_dir: Path, work: Path, data_dir: Path) -> None:
    t0 = time.time()
    clf = TFLiteClassifier(model_dir / MODEL_FILE, num_threads=1)
    th, qstats = quality_thresholds(pre, data_dir)
    _log(f"quality thresholds {th} from train stats {qstats}")
    base = Calibration(1.0, 0.0, 1e9, clf.input_size, TTA_VIEWS, centre_view=CENTRE_VIEW, quality=th)
    dx = Diagnoser(clf, labels, base)
    sets = validation_photos(dx, pre, data_dir)
    ok = [s for ss in sets.values() for s in ss if s.quality.ok]
    L, Y = np.array([s.logits for s in ok]), np.array([s.label for s in ok])
    T = fit_temperature(L, Y)
    e_in = energy(L)
    # Keep 97.5 % of in-distribution validation photos (clean + field) past the OOD check.
    e_thr = float(np.percentile(e_in, 97.5))
    ood = [
        evalsets.run_photo(dx, data, 0, "", "ood")
        for _n, data, _i in evalsets.ood_items(8001, N_OOD_VAL, False)
    ]
    e_ood = [float(energy(s.logits)) for s in ood if s.quality.ok]
    ood_refused = float(np.mean(np.array(e_ood) > e_thr)) if e_ood else float("nan")
    dx.calibration = replace(base, temperature=round(T, 4), energy_threshold=round(e_thr, 4))
    thr = _smallest_threshold(dx, sets, with_crop=False)
    sweep = _sweep(dx, sets)
    dx.calibration = replace(dx.calibration, abstain_threshold=thr)
    # Crop prior: the share of probability on the given crop below which the photo "does not
    # look like" that crop; set so that at most 3 % of validation photos of that crop are refused.
    p_true_crop = []
    for s in ok:
        idx = list(labels.indices_for_crop(s.crop))
        p_true_crop.append(float(softmax(s.logits, T)[idx].sum()))
    crop_min = float(round(min(0.5, np.percentile(p_true_crop, 100 * CROP_PRIOR_MAX_REFUSED)), 3))
    dx.calibration = replace(dx.calibration, crop_min_probability=crop_min)
    crop_thr = _smallest_threshold(dx, sets, with_crop=True)
    cal = replace(dx.calibration, crop_abstain_threshold=crop_thr)
    (model_dir / "calibration.json").write_text(cal.to_json() + "\n", encoding="utf-8")
    dx.calibration = cal
    summary: dict[str, Any] = {
        "temperature": T,
        "abstain_threshold": thr,
        "crop_abstain_threshold": crop_thr,
        "crop_min_probability": crop_min,
        "energy_threshold": e_thr,
        "val_n": {k: len(v) for k, v in sets.items()},
        "val_clean_acc_raw": evalsets.top1(sets["clean"]),
        "val_check_acc_raw": evalsets.top1(sets["check"]),
        "val_field_acc_raw": evalsets.top1(sets["field_style"]),
        "val_nll_T1": nll(L, Y, 1.0),
        "val_nll_T": nll(L, Y, T),
        "val_ece_T1": expected_calibration_error(softmax(L, 1.0), Y),
        "val_ece_T": expected_calibration_error(softmax(L, T), Y),
        "val_ood_synthetic_refused_by_energy": ood_refused,
        "targets": {
            "clean_min_answered_accuracy": CLEAN_MIN_ACC,
            "field_min_answered_accuracy": FIELD_MIN_ACC,
            "clean_max_confidently_wrong": CLEAN_MAX_CONF_WRONG,
            "field_max_confidently_wrong": FIELD_MAX_CONF_WRONG,
        },
        "val_threshold_sweep": sweep,
        "quality_train_stats": qstats,
    }
    for name, ss in sets.items():
        for wc in (False, True):
            key = f"val_{name}{'_with_crop' if wc else ''}"
            summary[key] = evalsets.figures(evalsets.decide_all(dx, ss, wc))
    (work / "calibration_summary.json").write_text(json.dumps(summary, indent=1))
    _log(f"calibration: {json.dumps(summary)} ({time.time() - t0:.0f}s)")
