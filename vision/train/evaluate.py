"""Evaluate the int8 model on the test split, the shortcut-free field check set,
the field-style set, non-leaf photos and background-only photos.

Everything runs through the runtime pipeline.  Each set reports the same three
figures -- accuracy of answers, abstention, confidently-wrong share -- with and
without the crop given, so a reader can see what the model says to a farmer,
not only how it ranks classes.  Nothing here feeds back into a threshold.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from vision import MODEL_DIR
from vision.calibration import expected_calibration_error, softmax
from vision.colour import U8
from vision.diagnose import MODEL_FILE, Diagnoser
from vision.labels import LabelSet
from vision.train import evalsets, figures
from vision.train.data import Preloaded
from vision.train.evalsets import CHECK_PARTS, Scored

METRICS_FILE = "metrics.json"
N_FIELD_TEST, N_CHECK_TEST, N_OOD_TEST = 1000, 800, 330


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _both(dx: Diagnoser, photos: list[Scored]) -> dict[str, Any]:
    return {
        "top1_all": evalsets.top1(photos),
        "no_crop": evalsets.figures(evalsets.decide_all(dx, photos, False)),
        "with_crop": evalsets.figures(evalsets.decide_all(dx, photos, True)),
    }


def _shortcut(dx: Diagnoser, photos: list[Scored]) -> dict[str, float]:
    """How often the top-1 *crop* follows the image style instead of the leaf."""
    crops = [lb.crop for lb in dx.labels.labels]
    lab = [s for s in photos if s.part == CHECK_PARTS[0] and s.quality.ok]
    rice = [s for s in photos if s.part == CHECK_PARTS[2] and s.quality.ok]
    return {
        "lab_leaf_on_field_called_rice": float(
            np.mean([crops[int(np.argmax(s.logits))] == "rice" for s in lab])
        )
        if lab
        else 0.0,
        "rice_lab_style_called_other_crop": float(
            np.mean([crops[int(np.argmax(s.logits))] != "rice" for s in rice])
        )
        if rice
        else 0.0,
    }


def _wrong_crop(dx: Diagnoser, photos: list[Scored]) -> dict[str, Any]:
    """The field's crop given but the photo shows another crop: the answer should be
    "does not look like <crop>", never a confident label of the given crop."""
    crops = dx.labels.crops
    decisions = []
    for k, s in enumerate(photos):
        others = [c for c in crops if c != s.crop]
        wrong = others[k % len(others)]
        decisions.append((dx.decide(s.logits, s.quality, wrong), "__none__"))
    f = evalsets.figures(decisions)
    f["crop_mismatch_share"] = f["by_reason"].get("crop_mismatch", 0) / max(f["n"], 1)
    return f


def test_split(dx: Diagnoser, pre: Preloaded, data_dir: Path, work: Path, fig_dir: Path) -> dict[str, Any]:
    names, k = dx.labels.names, len(dx.labels)
    crops = evalsets.crops_of(pre)
    test = np.nonzero(pre.split == 2)[0]
    photos = [
        evalsets.run_photo(dx, evalsets.read(data_dir, pre, int(i)), int(pre.labels[i]), str(crops[i]))
        for i in test
    ]
    cm = np.zeros((k, k), np.int64)
    for s in photos:
        cm[s.label, int(np.argmax(s.logits))] += 1
    n = len(photos)
    P = np.array([softmax(s.logits, dx.calibration.temperature) for s in photos])
    Y = np.array([s.label for s in photos])
    out: dict[str, Any] = {
        "n": n,
        "top1_int8": float(np.trace(cm) / n),
        "quality_rejected": float(np.mean([not s.quality.ok for s in photos])),
        **_both(dx, photos),
        "ece_calibrated": expected_calibration_error(P, Y),
        "per_class_recall": {names[c]: float(cm[c, c] / max(cm[c].sum(), 1)) for c in range(k)},
        "crop_correct": float(
            np.mean([names[int(np.argmax(s.logits))].split("__")[0] == s.crop for s in photos])
        ),
    }
    figures.confusion_png(
        cm,
        names,
        fig_dir / "confusion_test.png",
        f"Confusion matrix, test split (n={n}), top-1 {out['top1_int8']:.2%}",
    )
    np.save(work / "confusion_test.npy", cm)
    try:  # float model, for the quantisation cost
        import keras

        from vision.train.augment import clean

        m = keras.models.load_model(work / "model.keras")
        xs = np.stack([clean(pre.images[int(i)], dx.classifier.input_size) for i in test]).astype(np.float32)
        pf = m.predict(xs, batch_size=64, verbose=0)
        out["top1_float_preloaded"] = float((pf.argmax(1) == pre.labels[test]).mean())
    except Exception as exc:  # TF missing or no float model in the work dir
        out["top1_float_preloaded"] = f"n/a ({type(exc).__name__})"
    return out


def field_check(dx: Diagnoser, pre: Preloaded, data_dir: Path) -> dict[str, Any]:
    photos = [
        evalsets.run_photo(dx, data, lab, crop, part)
        for data, lab, crop, part in evalsets.field_check_items(pre, data_dir, 2, N_CHECK_TEST, 9201)
    ]
    out: dict[str, Any] = {"all": _both(dx, photos), "parts": {}}
    for part in CHECK_PARTS:
        out["parts"][part] = _both(dx, [s for s in photos if s.part == part])
    out["shortcut"] = _shortcut(dx, photos)
    out["wrong_crop_given"] = _wrong_crop(dx, [s for s in photos if s.quality.ok])
    return out


def field_style(dx: Diagnoser, pre: Preloaded, data_dir: Path, fig_dir: Path) -> dict[str, Any]:
    """The earlier field-style set (synthetic and blurred-field backgrounds), for continuity."""
    names = dx.labels.names
    items = evalsets.field_items(pre, data_dir, 2, N_FIELD_TEST, 9001)
    photos: list[Scored] = []
    by_bg: dict[str, list[int]] = {}
    by_light: dict[str, list[int]] = {}
    examples: list[tuple[U8, str]] = []
    for j, (data, lab, desc, photo) in enumerate(items):
        s = evalsets.run_photo(dx, data, lab, dx.labels.labels[lab].crop, "field_style")
        s.desc = desc
        photos.append(s)
        d = dx.decide(s.logits, s.quality)
        for key, table in (("background", by_bg), ("lighting", by_light)):
            b = table.setdefault(desc[key], [0, 0, 0])
            b[0] += 1
            b[1] += int(not d.abstained)
            b[2] += int(not d.abstained and d.label == names[lab])
        if j < 24:
            tag = "?" if d.abstained else ("OK" if d.label == names[lab] else "WRONG")
            examples.append((photo, f"{tag} {d.reason} {d.confidence:.2f}"))
    figures.tiles(examples, fig_dir / "field_examples.png")
    return {**_both(dx, photos), "by_background": by_bg, "by_lighting": by_light}


def ood(dx: Diagnoser, pre: Preloaded) -> tuple[dict[str, Any], dict[str, Any]]:
    items = evalsets.ood_items(9101, N_OOD_TEST, with_skimage=True)
    oo: dict[str, Any] = {"n": len(items), "refused": 0, "by_reason": {}, "by_kind": {}, "answered_items": []}
    for name, data, _img in items:
        d = dx.diagnose(data)
        kd = oo["by_kind"].setdefault(":".join(name.split(":")[:2]), [0, 0])
        kd[0] += 1
        oo["by_reason"][d.reason] = oo["by_reason"].get(d.reason, 0) + 1
        if d.abstained:
            oo["refused"] += 1
            kd[1] += 1
        else:
            oo["answered_items"].append(
                {"item": name, "label": d.label, "confidence": round(d.confidence, 3)}
            )
    oo["refusal_rate"] = oo["refused"] / len(items)
    # Background only: test leaves removed by inpainting -> must not get a confident label.
    bgo: dict[str, Any] = {"n": 0, "refused": 0}
    for i in np.nonzero(pre.split == 2)[0]:
        m = pre.masks[int(i)]
        if m.max() == 0:
            continue
        mm = cv2.dilate(m, np.ones((9, 9), np.uint8))
        bg = cv2.inpaint(pre.images[int(i)], mm, 5, cv2.INPAINT_TELEA)
        d = dx.diagnose(evalsets.encode(cv2.resize(bg, (480, 480), interpolation=cv2.INTER_CUBIC)))
        bgo["n"] += 1
        bgo["refused"] += int(d.abstained)
    bgo["refusal_rate"] = bgo["refused"] / max(bgo["n"], 1)
    return oo, bgo


def figure_dir(model_dir: Path, work: Path, out_file: Path | None) -> Path:
    """The model card's figures show the shipped model: only its own evaluation redraws them.
    A model trained into another folder, or scored for comparison, keeps its figures in ``work``."""
    shipped = out_file is None and model_dir.resolve() == MODEL_DIR.resolve()
    return figures.FIG_DIR if shipped else work


def stage_evaluate(
    pre: Preloaded,
    labels: LabelSet,
    model_dir: Path,
    work: Path,
    data_dir: Path,
    out_file: Path | None = None,
) -> dict[str, Any]:
    """Write ``metrics.json`` (or ``out_file``: used to score another model on the same
    photos; its figures then stay in ``work`` instead of the model card's folder)."""
    t0 = time.time()
    work.mkdir(parents=True, exist_ok=True)
    fig_dir = figure_dir(model_dir, work, out_file)
    dx = Diagnoser.load(model_dir, num_threads=1)
    del labels  # the model dir's labels.json is the one the runtime uses
    res: dict[str, Any] = {"model_bytes": (model_dir / MODEL_FILE).stat().st_size}
    res["test"] = test_split(dx, pre, data_dir, work, fig_dir)
    _log(f"test: top1 {res['test']['top1_int8']:.4f} {json.dumps(res['test']['no_crop'])}")
    res["field_check"] = field_check(dx, pre, data_dir)
    _log(f"field check: {json.dumps(res['field_check']['all'])}")
    res["field"] = field_style(dx, pre, data_dir, fig_dir)
    res["ood"], res["background_only"] = ood(dx, pre)
    oo, bg = res["ood"]["refusal_rate"], res["background_only"]["refusal_rate"]
    _log(f"ood refused {oo:.3f}; background-only {bg:.3f}")
    res["calibration"] = json.loads((model_dir / "calibration.json").read_text())
    for key, name in (
        ("calibration_summary", "calibration_summary.json"),
        ("reviewed", "reviewed_summary.json"),
        ("fit", "fit_history.json"),
    ):
        if (work / name).exists():
            res[key] = json.loads((work / name).read_text())
    target = out_file or model_dir / METRICS_FILE
    target.write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    _log(f"wrote {target} ({time.time() - t0:.0f}s)")
    return res
