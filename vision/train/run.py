"""``farm vision train``: preload -> fit -> int8 export -> calibrate -> evaluate.

Stages can be run separately (``--stage``) so a calibration change does not need
a new training run.  Everything is seeded: the split, the batches and (since 05/12/2026)
the leaf masks, so on one machine two fits from the same preload give the same numbers
epoch by epoch. TensorFlow does not promise bit-exact CPU kernels across machines or
thread counts, so elsewhere a retrain gives close, not identical, numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cli.args import bounded_float, bounded_int
from vision import MODEL_DIR
from vision.cli import model_folder
from vision.diagnose import MODEL_FILE
from vision.labels import LABELS_FILE, LabelSet, load_labels
from vision.train import augment, heap, reviewed, shortcut
from vision.train.arch import DEFAULT_TRAIN_FROM, INPUT_SIZE, N_BLOCKS
from vision.train.batches import BATCH, NEG_FRACTION, BatchMaker
from vision.train.data import PRELOAD, SEED, Preloaded, default_data_dir, preload
from vision.train.masks import GRABCUT_SEED
from vision.train.pretrained import LICENCE_FILE

# 16 epochs: the validation shortcut score still rose at epoch 12 of a 12-epoch cycle (0.815);
# at 192 px one 16-epoch cycle reached 0.856 at epoch 16, a second draw 0.853 at epoch 15; the fit
# takes ~70 min on 2 cores (docs/benchmarks-vision.md, *Training cost*).
EPOCHS = 16
MAX_EPOCHS = 100  # a longer cycle would run for days on the 2 CPU cores it is meant for
PEAK_LR = 1e-3
# Peak learning rates AdamW can use here: below 1e-6 a cycle moves nothing, above 0.1 it diverges.
LR_RANGE = (1e-6, 0.1)
# Epochs at the end of the cycle whose weights are averaged into one more candidate
# checkpoint (vision/train/averaging.py), kept only where validation prefers it.  Off by
# default: the mean of epochs 13-16 of a 16-epoch cycle scored 0.852 on the validation
# shortcut set against 0.855 for epoch 16 alone (docs/model-card.md, *Weight averaging*),
# so the default recipe stays the one that made the shipped model.
AVERAGE_LAST = 0


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def load_or_preload(data_dir: Path, labels: LabelSet, work: Path) -> Preloaded:
    """Preload once; cache the decoded arrays in the work dir (outside the repo)."""
    import pickle

    # The cache is keyed by the manifest, the preload size and the mask seed, so a changed
    # dataset or mask rule is re-read.
    stamp = f"{PRELOAD}/{GRABCUT_SEED}".encode()
    key = hashlib.sha1((data_dir / "MANIFEST.csv").read_bytes() + stamp).hexdigest()[:12]
    cache = work / f"preload-{key}.pkl"
    if cache.exists():
        with open(cache, "rb") as fh:
            obj = pickle.load(fh)
        if isinstance(obj, Preloaded):
            _log(f"preload cache: {cache}")
            return obj
    _log(f"preloading {data_dir} (decode at reduced size, leaf masks) ...")
    t = time.time()
    pre = preload(data_dir, labels)
    _log(
        f"preloaded {len(pre.items)} images in {time.time() - t:.0f}s; "
        f"split sizes {np.bincount(pre.split).tolist()}"
    )
    work.mkdir(parents=True, exist_ok=True)
    with open(cache, "wb") as fh:
        pickle.dump(pre, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return pre


def _threads() -> None:
    """Training shares 2 cores with other jobs: one inter-op and two intra-op threads."""
    import tensorflow as tf

    n = int(os.environ.get("RUONGSO_TRAIN_THREADS", "2"))
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(n)


def stage_fit(
    pre: Preloaded,
    labels: LabelSet,
    work: Path,
    epochs: int,
    train_from: int,
    init_from: Path | None = None,
    peak_lr: float = PEAK_LR,
    average_last: int = AVERAGE_LAST,
) -> None:
    """Fine-tune EfficientNet-Lite0 (ImageNet) with one cosine learning-rate cycle.

    ``init_from`` continues from an earlier fit (a ``model.keras``) instead of the
    ImageNet weights: a second, short, low-learning-rate cycle with more blocks
    unfrozen adapts the lower texture features once the head has settled, which a
    from-scratch cycle at that depth would disturb while the head is still random.

    The checkpoint kept is the epoch with the best score on the *validation*
    shortcut set (clean, style-swapped both ways), not simply the last one,
    and never chosen on test data.  The mean of the last ``average_last`` epochs'
    weights is one more candidate, scored the same way after the cycle.
    """
    import keras

    from vision.train.averaging import TailAverage
    from vision.train.net import build_model, freeze_before
    from vision.train.pretrained import read_legacy_state_dict, weights_path

    _threads()
    keras.utils.set_random_seed(SEED)
    if init_from is not None:
        model = keras.models.load_model(init_from)
        origin = f"continued from {init_from}"
    else:
        model = build_model(len(labels), read_legacy_state_dict(weights_path()))
        origin = "ImageNet"
    n_trainable = freeze_before(model, train_from)
    _log(
        f"model: EfficientNet-Lite0 ({origin}), {model.count_params():,} parameters, "
        f"{n_trainable:,} trainable (blocks >= {train_from} + head), input {INPUT_SIZE}x{INPUT_SIZE}"
    )
    n_train = int((pre.split == 0).sum())
    steps = int(np.ceil(n_train / (BATCH * (1 - NEG_FRACTION))))
    # A continued fit needs only a short warm-up: the head is already trained.
    warm = steps if init_from is None else max(1, steps // 5)
    sched = keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=steps * epochs - warm, warmup_target=peak_lr, warmup_steps=warm, alpha=0.02
    )
    model.compile(
        optimizer=keras.optimizers.AdamW(sched, weight_decay=1e-4),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.CategoricalAccuracy(name="acc")],
    )
    vset = shortcut.validation_set(pre, len(labels), INPUT_SIZE)
    _log(f"validation shortcut set: {vset.summary()}")
    maker = BatchMaker(pre, len(labels), SEED, INPUT_SIZE)
    t0 = time.time()
    best: dict[str, Any] = {"score": -1.0}
    history: list[dict[str, Any]] = []
    tail = TailAverage()
    n_average = min(average_last, epochs)

    def validation_score() -> dict[str, Any]:
        return vset.evaluate(model.predict(vset.x, batch_size=128, verbose=0))

    class Progress(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            heap.keep_freed_memory()  # after the generator dataset has set its own trim threshold

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            logs = logs or {}
            res = validation_score()
            res["epoch"] = epoch + 1
            history.append(res)
            if epoch + 1 > epochs - n_average:
                tail.add(model.get_weights())
            tag = ""
            if res["score"] > best["score"]:
                best.update(res)
                model.save(work / "model.keras")
                tag = " (best so far, saved)"
            el = time.time() - t0
            eta = el / (epoch + 1) * (epochs - epoch - 1)
            _log(
                f"epoch {epoch + 1}/{epochs} loss {logs.get('loss', 0):.4f} acc {logs.get('acc', 0):.4f} "
                f"| val {shortcut.fmt(res)}{tag} | elapsed {el / 60:.1f} min, ETA {eta / 60:.1f} min"
            )

    model.fit(maker.stream(), steps_per_epoch=steps, epochs=epochs, callbacks=[Progress()], verbose=0)
    averaged: dict[str, Any] = {}
    if tail.count >= 2:
        model.set_weights(tail.mean())
        averaged = validation_score()
        averaged["averaged_epochs"] = list(range(epochs - tail.count + 1, epochs + 1))
        kept = averaged["score"] > best["score"]
        if kept:
            best.clear()
            best.update(averaged, epoch=epochs)
            model.save(work / "model.keras")
        _log(
            f"mean of epochs {averaged['averaged_epochs'][0]}-{epochs}: val {shortcut.fmt(averaged)}"
            + (" (best, saved)" if kept else " (not better than a single epoch; not kept)")
        )
    (work / "fit_history.json").write_text(
        json.dumps({"best": best, "epochs": history, "averaged": averaged}, indent=1)
    )
    span = best.get("averaged_epochs")
    kept_what = f"the mean of epochs {span[0]}-{span[-1]}" if span else f"epoch {best.get('epoch')}"
    _log(f"kept {kept_what} ({work / 'model.keras'}); fit took {(time.time() - t0) / 60:.1f} min")


def stage_export(pre: Preloaded, labels: LabelSet, work: Path, model_dir: Path) -> None:
    """Full-integer int8 post-training quantisation with a representative dataset
    drawn from every training style (lab, field, lab-styled rice) plus negatives, so
    the activation ranges cover what the phone sends."""
    import keras
    import tensorflow as tf

    from vision.train.pretrained import LICENCE_NOTE

    _threads()
    model = keras.models.load_model(work / "model.keras")
    maker = BatchMaker(pre, len(labels), SEED + 1, INPUT_SIZE)
    rng = np.random.default_rng(SEED + 2)
    tr = np.nonzero(pre.split == 0)[0]
    reps: list[NDArray[np.float32]] = []
    for i in rng.choice(tr, 150, replace=False):
        reps.append(augment.clean(pre.images[int(i)], INPUT_SIZE).astype(np.float32))
    for i in rng.choice(tr, 250, replace=False):
        reps.append(maker.sample(rng, int(i)).astype(np.float32))
    for _ in range(40):
        reps.append(maker.negative(rng).astype(np.float32))

    def rep_data() -> Iterator[list[NDArray[np.float32]]]:
        for r in reps:
            yield [r[None]]

    saved = work / "saved_model"
    # Keras 3 -> SavedModel -> converter: the route that calibrates cleanly for this graph.
    model.export(str(saved), format="tf_saved_model", verbose=False)
    conv = tf.lite.TFLiteConverter.from_saved_model(str(saved))
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = rep_data
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    blob = conv.convert()
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / MODEL_FILE).write_bytes(blob)
    _log(f"wrote {model_dir / MODEL_FILE} ({len(blob) / 1024:.0f} KiB); {LICENCE_NOTE}")


def prepare_model_dir(model_dir: Path, stage: str) -> str | None:
    """Make ``model_dir`` ready for ``stage``; return a one-line problem or None.

    A retrain into a new folder (to compare it before it replaces the shipped model)
    starts from the shipped class list and carries the pretrained weights' licence,
    which must sit beside every model file made from them.  Stages after the fit need
    a folder that already holds a model.
    """
    if stage in ("calibrate", "evaluate") and not (model_dir / MODEL_FILE).exists():
        return f"--model-dir: no {MODEL_FILE} in {model_dir} (run --stage fit or all first)"
    if (model_dir / LABELS_FILE).exists():
        return None
    if model_dir.exists() and not model_dir.is_dir():
        return f"--model-dir: {model_dir} is not a folder"
    model_dir.mkdir(parents=True, exist_ok=True)
    for name in (LABELS_FILE, LICENCE_FILE):
        shutil.copyfile(MODEL_DIR / name, model_dir / name)
    _log(f"new model folder {model_dir}: class list and weights licence copied from {MODEL_DIR}")
    return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="farm vision train")
    add_arguments(p)
    return run(p.parse_args(argv))


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="dataset dir (default: $RUONGSO_DATASET_DIR or ../shared/datasets/leaf-disease)",
    )
    p.add_argument(
        "--work",
        type=Path,
        default=Path(os.environ.get("TMPDIR", "/tmp")) / "ruongso-vision-train",
        help="scratch dir outside the repo",
    )
    p.add_argument(
        "--model-dir",
        type=Path,
        default=MODEL_DIR,
        help="where the model, labels and calibration are written (default: the shipped vision/model)",
    )
    p.add_argument(
        "--epochs", type=bounded_int(1, MAX_EPOCHS), default=EPOCHS, help="epochs of the fine-tuning cycle"
    )
    p.add_argument(
        "--train-from",
        type=bounded_int(0, N_BLOCKS - 1),
        default=None,
        help="first EfficientNet block that is fine-tuned (earlier ones stay frozen; default 8)",
    )
    p.add_argument(
        "--average-last",
        type=bounded_int(0, MAX_EPOCHS),
        default=AVERAGE_LAST,
        help="average the weights of this many final epochs into one more candidate checkpoint, "
        f"kept if validation prefers it; {EPOCHS // 4} = the last quarter of the default {EPOCHS}-epoch "
        f"cycle (0 or 1: off; default {AVERAGE_LAST})",
    )
    p.add_argument(
        "--init-from",
        type=Path,
        default=None,
        help="continue fine-tuning from this model.keras instead of the ImageNet weights (default: none)",
    )
    p.add_argument(
        "--lr",
        type=bounded_float(*LR_RANGE),
        default=PEAK_LR,
        help=f"peak learning rate of the cycle (default {PEAK_LR})",
    )
    p.add_argument(
        "--reviewed",
        type=Path,
        default=None,
        help="officer-reviewed photos: a folder with corrections.csv (the officer training export) "
        "and the photos named <image_sha256>.jpg; they join the training split (default: none)",
    )
    p.add_argument(
        "--compare-with",
        type=model_folder,
        default=None,
        help="another model dir (e.g. the previous release) to score on the same evaluation photos "
        "(default: none)",
    )
    p.add_argument(
        "--stage",
        choices=("all", "fit", "export", "calibrate", "evaluate"),
        default="all",
        help="run one stage only, e.g. recalibrate without retraining (default: all)",
    )


def run(args: argparse.Namespace) -> int:
    # Argument errors first: before the minutes-long preload, one line and exit 2.
    if args.init_from is not None and not args.init_from.exists():
        print(f"--init-from: {args.init_from} does not exist")
        return 2
    problem = prepare_model_dir(args.model_dir, args.stage)
    if problem:
        print(problem)
        return 2

    data_dir: Path = (args.data or default_data_dir()).resolve()
    if not (data_dir / "MANIFEST.csv").exists():
        print(f"dataset not found at {data_dir} (use --data DIR or RUONGSO_DATASET_DIR)")
        return 2
    labels = load_labels(args.model_dir)
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    pre = load_or_preload(data_dir, labels, work)
    rev = reviewed.load(args.reviewed, labels) if args.reviewed else reviewed.Reviewed.empty(labels)
    _log(f"officer-reviewed photos: {rev.summary()}")
    (work / "reviewed_summary.json").write_text(json.dumps(rev.to_metrics(), indent=1))
    pre_train = reviewed.add_to_training(pre, rev)
    if args.stage in ("all", "fit"):
        tf_from = DEFAULT_TRAIN_FROM if args.train_from is None else args.train_from
        stage_fit(pre_train, labels, work, args.epochs, tf_from, args.init_from, args.lr, args.average_last)
    if args.stage in ("all", "fit", "export"):
        stage_export(pre_train, labels, work, args.model_dir)
    if args.stage in ("all", "calibrate", "evaluate"):
        from vision.train import calibrate, evaluate

        if args.stage != "evaluate":
            calibrate.stage_calibrate(pre, labels, args.model_dir, work, data_dir)
        metrics = evaluate.stage_evaluate(pre, labels, args.model_dir, work, data_dir)
        if args.compare_with:
            _log(f"scoring {args.compare_with} on the same photos ...")
            other = evaluate.stage_evaluate(
                pre, labels, args.compare_with, work / "compare", data_dir, work / "metrics_compared.json"
            )
            metrics["compared_model"] = {k: other[k] for k in ("model_bytes", "test", "field_check", "field")}
            (args.model_dir / evaluate.METRICS_FILE).write_text(
                json.dumps(metrics, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        from vision.train.report import summary_lines

        for line in summary_lines(metrics):
            _log(f"summary: {line}")
    (work / "done.json").write_text(json.dumps({"stage": args.stage, "time": time.time()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
