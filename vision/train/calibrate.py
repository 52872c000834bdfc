"""Calibrate (val split) and evaluate (test split, field-style set, OOD set) the int8 model.

Runs the *runtime* pipeline on the original dataset files (decode, quality gate,
leaf crop, int8 model) so the numbers describe what the server does.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.calibration import Calibration, energy, expected_calibration_error, fit_temperature, nll, softmax
from vision.colour import U8
from vision.diagnose import MODEL_FILE, Diagnoser
from vision.labels import LabelSet
from vision.model import TFLiteClassifier
from vision.preprocess import decode
from vision.quality import QualityReport, QualityThresholds, measure
from vision.train import fieldset
from vision.train.data import Preloaded
from vision.train.masks import foreground_mask

METRICS_FILE = "metrics.json"
# Sizes of the generated evaluation sets (module constants so a smoke test can shrink them).
N_FIELD_VAL, N_FIELD_TEST, N_OOD_VAL, N_OOD_TEST = 800, 1000, 220, 330
TTA_VIEWS = 4
REPO = Path(__file__).resolve().parents[2]
FIG_DIR = REPO / "docs" / "img" / "vision"


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _read(data_dir: Path, pre: Preloaded, i: int) -> bytes:
    return (data_dir / pre.items[i].path).read_bytes()


def _run(dx: Diagnoser, data: bytes) -> tuple[QualityReport, NDArray[np.float64]]:
    dec = decode(data)
    q, x = dx.prepare(dec)
    return q, dx.logits(x)


def _field_items(
    pre: Preloaded, data_dir: Path, split: int, n: int, seed: int
) -> list[tuple[bytes, int, dict[str, str], U8]]:
    """Field-style photos from leaves of one split (full 192-px originals + fresh masks)."""
    rng = np.random.default_rng(seed)
    idx = np.nonzero(pre.split == split)[0]
    crops = np.array([it.path.split("__")[0] for it in pre.items])
    field_bgs = idx[crops[idx] == "rice"]
    cache: dict[int, tuple[U8, U8 | None]] = {}

    def load(i: int) -> tuple[U8, U8 | None]:
        if i not in cache:
            img = cv2.imread(str(data_dir / pre.items[i].path))
            if img is None:
                raise SystemExit(f"cannot read {pre.items[i].path}")
            h, w = img.shape[:2]
            s = min(h, w)
            sq = np.ascontiguousarray(img[(h - s) // 2 : (h - s) // 2 + s, (w - s) // 2 : (w - s) // 2 + s])
            m = None if crops[i] == "rice" else foreground_mask(sq)
            cache[i] = (sq, m)
        return cache[i]

    out: list[tuple[bytes, int, dict[str, str], U8]] = []
    picks = rng.choice(idx, n, replace=len(idx) < n)
    for i in picks:
        i = int(i)
        lab = int(pre.labels[i])
        img, m = load(i)
        if m is None:
            full = np.asarray(cv2.imread(str(data_dir / pre.items[i].path)), np.uint8)
            photo, desc = fieldset.field_photo_infield(rng, full)
        else:
            leaves = [(img, m)]
            if rng.random() < 0.35:
                same = idx[pre.labels[idx] == lab]
                for j in rng.choice(same, int(rng.integers(1, 3))):
                    im2, m2 = load(int(j))
                    if m2 is not None:
                        leaves.insert(0, (im2, m2))
            fb = None
            if len(field_bgs):
                fb = cv2.imread(str(data_dir / pre.items[int(rng.choice(field_bgs))].path))
            photo, desc = fieldset.field_photo(rng, leaves, fb)
        out.append((fieldset.to_phone_jpeg(rng, photo), lab, desc, photo))
    return out


def _encode(img: U8) -> bytes:
    ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return enc.tobytes()


def _ood_items(seed: int, n_synth: int, with_skimage: bool) -> list[tuple[str, bytes, U8]]:
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
                items.append((f"skimage:{name}:{k}", _encode(v), v))
    return items


def quality_thresholds(pre: Preloaded, data_dir: Path) -> tuple[QualityThresholds, dict[str, float]]:
    tr = np.nonzero(pre.split == 0)[0]
    ms = []
    for i in tr[::3]:
        dec = decode(_read(data_dir, pre, int(i)))
        ms.append(measure(dec.image, dec.original_size))
    blur = np.array([m["blur"] for m in ms])
    plant = np.array([m["plant_fraction"] for m in ms])
    p95 = np.array([m["luma_p95"] for m in ms])
    d = QualityThresholds()
    # Never reject more than ~0.5 % of real dataset photos; keep the defaults when stricter.
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


def stage_calibrate(pre: Preloaded, labels: LabelSet, model_dir: Path, work: Path, data_dir: Path) -> None:
    t0 = time.time()
    clf = TFLiteClassifier(model_dir / MODEL_FILE)
    th, qstats = quality_thresholds(pre, data_dir)
    _log(f"quality thresholds {th} from train stats {qstats}")
    base = Calibration(
        temperature=1.0,
        abstain_threshold=0.0,
        energy_threshold=1e9,
        input_size=clf.input_size,
        tta_views=TTA_VIEWS,
        quality=th,
    )
    dx = Diagnoser(clf, labels, base)
    val = np.nonzero(pre.split == 1)[0]
    lv, yv = [], []
    for i in val:
        q, lg = _run(dx, _read(data_dir, pre, int(i)))
        if q.ok:
            lv.append(lg)
            yv.append(int(pre.labels[i]))
    lf, yf = [], []
    for data, lab, _d, _p in _field_items(pre, data_dir, 1, N_FIELD_VAL, 7001):
        q, lg = _run(dx, data)
        if q.ok:
            lf.append(lg)
            yf.append(lab)
    Lv, Yv, Lf, Yf = np.array(lv), np.array(yv), np.array(lf), np.array(yf)
    L, Y = np.concatenate([Lv, Lf]), np.concatenate([Yv, Yf])
    T = fit_temperature(L, Y)
    e_in = energy(L)
    ood = _ood_items(8001, N_OOD_VAL, with_skimage=False)
    e_ood = []
    for _n, data, _img in ood:
        q, lg = _run(dx, data)
        if q.ok:
            e_ood.append(float(energy(lg)))
    # Keep 97.5 % of in-distribution val photos (clean + field-style) past the OOD check.
    e_thr = float(np.percentile(e_in, 97.5))
    ood_refused = float(np.mean(np.array(e_ood) > e_thr)) if e_ood else float("nan")
    keep_v, keep_f = energy(Lv) <= e_thr, energy(Lf) <= e_thr
    pv, pf = softmax(Lv, T), softmax(Lf, T)
    chosen = 0.9
    for t in np.arange(0.30, 0.951, 0.01):
        av = keep_v & (pv.max(1) >= t)
        af = keep_f & (pf.max(1) >= t)
        acc_v = float((pv.argmax(1)[av] == Yv[av]).mean()) if av.any() else 1.0
        acc_f = float((pf.argmax(1)[af] == Yf[af]).mean()) if af.any() else 1.0
        if acc_v >= 0.99 and acc_f >= 0.95:
            chosen = float(round(t, 2))
            break
    cal = Calibration(
        temperature=round(T, 4),
        abstain_threshold=chosen,
        energy_threshold=round(e_thr, 4),
        input_size=clf.input_size,
        tta_views=TTA_VIEWS,
        quality=th,
    )
    (model_dir / "calibration.json").write_text(cal.to_json() + "\n", encoding="utf-8")
    summary = {
        "temperature": T,
        "abstain_threshold": chosen,
        "energy_threshold": e_thr,
        "val_clean_n": len(Yv),
        "val_field_n": len(Yf),
        "val_clean_acc_raw": float((Lv.argmax(1) == Yv).mean()),
        "val_field_acc_raw": float((Lf.argmax(1) == Yf).mean()),
        "val_nll_T1": nll(L, Y, 1.0),
        "val_nll_T": nll(L, Y, T),
        "val_ece_T1": expected_calibration_error(softmax(L, 1.0), Y),
        "val_ece_T": expected_calibration_error(softmax(L, T), Y),
        "val_ood_synthetic_refused_by_energy": ood_refused,
        "quality_train_stats": qstats,
    }
    (work / "calibration_summary.json").write_text(json.dumps(summary, indent=1))
    _log(f"calibration: {json.dumps(summary)} ({time.time() - t0:.0f}s)")


def _confusion_png(cm: NDArray[np.int64], names: tuple[str, ...], path: Path, title: str) -> None:
    k = len(names)
    cell, left, top = 26, 250, 60
    img = np.full((top + k * cell + 20, left + k * cell + 20, 3), 255, np.uint8)
    rown = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    for r in range(k):
        cv2.putText(
            img,
            f"{r:2d} {names[r]}",
            (4, top + r * cell + 17),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.38,
            (0, 0, 0),
            1,
            cv2.LINE_AA,
        )
        cv2.putText(
            img,
            f"{r}",
            (left + r * cell + 5, top - 8),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.35,
            (0, 0, 0),
            1,
            cv2.LINE_AA,
        )
        for c in range(k):
            v = float(rown[r, c])
            col = (
                (int(255 * (1 - v)), int(255 * (1 - 0.6 * v)), 255)
                if r != c
                else (int(255 * (1 - v)), 255 - int(90 * v), int(255 * (1 - v)))
            )
            x0, y0 = left + c * cell, top + r * cell
            cv2.rectangle(img, (x0, y0), (x0 + cell - 1, y0 + cell - 1), col, -1)
            if cm[r, c]:
                txt = str(int(cm[r, c]))
                cv2.putText(
                    img, txt, (x0 + 3, y0 + 17), cv2.FONT_HERSHEY_SIMPLEX, 0.34, (0, 0, 0), 1, cv2.LINE_AA
                )
    cv2.putText(img, title, (4, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(
        img,
        "rows: true class, columns: predicted (int8 model, test split)",
        (4, 42),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.42,
        (60, 60, 60),
        1,
        cv2.LINE_AA,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), img)


def stage_evaluate(pre: Preloaded, labels: LabelSet, model_dir: Path, work: Path, data_dir: Path) -> None:
    t0 = time.time()
    dx = Diagnoser.load(model_dir)
    names = labels.names
    k = len(names)
    res: dict[str, Any] = {"model_bytes": (model_dir / MODEL_FILE).stat().st_size}
    # 1. held-out test split, original files
    test = np.nonzero(pre.split == 2)[0]
    cm = np.zeros((k, k), np.int64)
    raw_ok, qual_rej, answered, answered_ok, probs, ys = 0, 0, 0, 0, [], []
    for i in test:
        data = _read(data_dir, pre, int(i))
        y = int(pre.labels[i])
        dec = decode(data)
        q, x = dx.prepare(dec)
        lg = dx.logits(x)
        cm[y, int(np.argmax(lg))] += 1
        raw_ok += int(np.argmax(lg) == y)
        d = dx.decide(lg, q)
        qual_rej += int(not q.ok)
        if not d.abstained:
            answered += 1
            answered_ok += int(d.label == names[y])
        probs.append(softmax(lg, dx.calibration.temperature))
        ys.append(y)
    n = len(test)
    P, Yt = np.array(probs), np.array(ys)
    res["test"] = {
        "n": n,
        "top1_int8": raw_ok / n,
        "quality_rejected": qual_rej / n,
        "coverage": answered / n,
        "answered_accuracy": answered_ok / max(answered, 1),
        "ece_calibrated": expected_calibration_error(P, Yt),
        "ece_uncalibrated": None,
        "per_class_recall": {names[c]: float(cm[c, c] / max(cm[c].sum(), 1)) for c in range(k)},
    }
    _confusion_png(
        cm,
        names,
        FIG_DIR / "confusion_test.png",
        f"Confusion matrix, test split (n={n}), top-1 {raw_ok / n:.2%}",
    )
    np.save(work / "confusion_test.npy", cm)
    _log(f"test: {json.dumps({kk: v for kk, v in res['test'].items() if kk != 'per_class_recall'})}")
    # float model, for the quantisation cost
    try:
        import keras

        from vision.train.augment import clean

        m = keras.models.load_model(work / "model.keras")
        xs = np.stack([clean(pre.images[int(i)], dx.classifier.input_size) for i in test]).astype(np.float32)
        pf = m.predict(xs, batch_size=128, verbose=0)
        res["test"]["top1_float_preloaded"] = float((pf.argmax(1) == pre.labels[test]).mean())
    except Exception as exc:  # TF missing or no float model in the work dir
        res["test"]["top1_float_preloaded"] = f"n/a ({type(exc).__name__})"
    # 2. field-style set from test leaves
    field = _field_items(pre, data_dir, 2, N_FIELD_TEST, 9001)
    fa: dict[str, Any] = {
        "n": len(field),
        "answered": 0,
        "answered_correct": 0,
        "quality_rejected": 0,
        "by_reason": {},
        "by_background": {},
        "by_lighting": {},
        "top1_all": 0,
    }
    examples: list[tuple[U8, str]] = []
    for j, (data, lab, desc, photo) in enumerate(field):
        d = dx.diagnose(data)
        fa["by_reason"][d.reason] = fa["by_reason"].get(d.reason, 0) + 1
        fa["top1_all"] += int(bool(d.top3) and d.top3[0].label == names[lab])
        for key in ("background", "lighting"):
            b = fa[f"by_{key}"].setdefault(desc[key], [0, 0, 0])
            b[0] += 1
            if not d.abstained:
                b[1] += 1
                b[2] += int(d.label == names[lab])
        if not d.abstained:
            fa["answered"] += 1
            fa["answered_correct"] += int(d.label == names[lab])
        if j < 24:
            tag = "?" if d.abstained else ("OK" if d.label == names[lab] else "WRONG")
            examples.append((photo, f"{tag} {d.reason} {d.confidence:.2f}"))
    fa["coverage"] = fa["answered"] / len(field)
    fa["answered_accuracy"] = fa["answered_correct"] / max(fa["answered"], 1)
    fa["top1_all"] = fa["top1_all"] / len(field)
    res["field"] = fa
    _log(
        f"field: coverage {fa['coverage']:.3f} answered_acc {fa['answered_accuracy']:.3f} "
        f"reasons {fa['by_reason']}"
    )
    tiles = []
    for photo, txt in examples:
        t = cv2.resize(photo, (240, 180))
        cv2.rectangle(t, (0, 0), (240, 18), (255, 255, 255), -1)
        cv2.putText(t, txt, (3, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
        tiles.append(t)
    if len(tiles) >= 24:
        cv2.imwrite(
            str(FIG_DIR / "field_examples.png"),
            np.vstack([np.hstack(tiles[r * 6 : r * 6 + 6]) for r in range(4)]),
        )
    # 3. OOD: synthetic non-leaf photos + scikit-image sample photos
    ood = _ood_items(9101, N_OOD_TEST, with_skimage=True)
    oo: dict[str, Any] = {"n": len(ood), "refused": 0, "by_reason": {}, "by_kind": {}, "answered_items": []}
    ood_tiles: list[U8] = []
    for name, data, img in ood:
        d = dx.diagnose(data)
        kind = ":".join(name.split(":")[:2])
        kd = oo["by_kind"].setdefault(kind, [0, 0])
        kd[0] += 1
        oo["by_reason"][d.reason] = oo["by_reason"].get(d.reason, 0) + 1
        if d.abstained:
            oo["refused"] += 1
            kd[1] += 1
        else:
            oo["answered_items"].append(
                {"item": name, "label": d.label, "confidence": round(d.confidence, 3)}
            )
            if len(ood_tiles) < 12:
                t = cv2.resize(img, (160, 120))
                cv2.putText(
                    t,
                    f"{d.label} {d.confidence:.2f}"[:30],
                    (2, 12),
                    cv2.FONT_HERSHEY_SIMPLEX,
                    0.33,
                    (0, 0, 255),
                    1,
                )
                ood_tiles.append(t)
    oo["refusal_rate"] = oo["refused"] / len(ood)
    res["ood"] = oo
    _log(f"ood: refused {oo['refusal_rate']:.3f} of {len(ood)}; reasons {oo['by_reason']}")
    # 4. background only: test leaves removed by inpainting -> must not get a confident label
    bgo: dict[str, float] = {"n": 0, "refused": 0}
    for i in test:
        m = pre.masks[int(i)]
        if m.max() == 0:
            continue
        img = pre.images[int(i)]
        mm = cv2.dilate(m, np.ones((9, 9), np.uint8))
        bg = cv2.inpaint(img, mm, 5, cv2.INPAINT_TELEA)
        bg = cv2.resize(bg, (480, 480), interpolation=cv2.INTER_CUBIC)
        d = dx.diagnose(_encode(bg))
        bgo["n"] += 1
        bgo["refused"] += int(d.abstained)
    bgo["refusal_rate"] = bgo["refused"] / max(bgo["n"], 1)
    res["background_only"] = bgo
    _log(f"background-only refused {bgo['refusal_rate']:.3f} of {bgo['n']}")
    res["calibration"] = json.loads((model_dir / "calibration.json").read_text())
    summ = work / "calibration_summary.json"
    if summ.exists():
        res["calibration_summary"] = json.loads(summ.read_text())
    (model_dir / METRICS_FILE).write_text(
        json.dumps(res, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    _log(f"wrote {model_dir / METRICS_FILE} ({time.time() - t0:.0f}s)")
