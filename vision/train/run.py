"""``farm vision train``: preload -> fit -> int8 export -> calibrate -> evaluate.

Stages can be run separately (``--stage``) so a calibration change does not need
a new training run.  Everything is seeded; the data split is deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vision import MODEL_DIR
from vision.diagnose import MODEL_FILE
from vision.labels import LabelSet, load_labels
from vision.train import augment
from vision.train.data import PRELOAD, SEED, Preloaded, default_data_dir, preload

BATCH = 64
NEG_FRACTION = 0.10
EPOCHS = 30
RESTART_EPOCHS = 12
POLISH_EPOCHS = 16
# (peak learning rate, share of near-original views) per cosine cycle.  Later cycles
# show more near-original views so the low-LR phases settle on the disease signal;
# the rest keeps the full field augmentation.
CYCLES = ((3e-3, 0.25), (1e-3, 0.5), (5e-4, 0.75))


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def load_or_preload(data_dir: Path, labels: LabelSet, work: Path) -> Preloaded:
    """Preload once; cache the decoded arrays in the work dir (outside the repo)."""
    import pickle

    # The cache is keyed by the manifest and the preload size, so a changed dataset is re-read.
    key = hashlib.sha1((data_dir / "MANIFEST.csv").read_bytes() + str(PRELOAD).encode()).hexdigest()[:12]
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


class BatchMaker:
    """Produces augmented training batches in a background thread."""

    def __init__(
        self, pre: Preloaded, num_classes: int, seed: int, size: int, clean_frac: float = 0.25
    ) -> None:
        self.pre = pre
        self.clean_frac = clean_frac
        self.k = num_classes
        self.size = size
        self.rng = np.random.default_rng(seed)
        self.train_idx = np.nonzero(pre.split == 0)[0]
        self.has_mask = pre.masks.reshape(len(pre.items), -1).max(axis=1) > 0
        self.by_label_masked: dict[int, NDArray[np.int64]] = {}
        for c in range(num_classes):
            sel = self.train_idx[(pre.labels[self.train_idx] == c) & self.has_mask[self.train_idx]]
            self.by_label_masked[c] = sel
        crops = np.array([it.path.split("__")[0] for it in pre.items])
        self.field_idx = self.train_idx[crops[self.train_idx] == "rice"]

    def _background(self, rng: np.random.Generator) -> NDArray[np.uint8]:
        r = rng.random()
        if r < 0.15 and len(self.field_idx):
            # Out-of-focus field behind a hand-held leaf.
            src = self.pre.images[int(rng.choice(self.field_idx))]
            bg = augment.geometric(rng, src, self.size, (1.0, 1.6))
            return np.asarray(augment.cv2.GaussianBlur(bg, (0, 0), rng.uniform(1.0, 4.0)), np.uint8)
        return augment.texture(rng, self.size)

    def sample(self, rng: np.random.Generator, i: int) -> NDArray[np.uint8]:
        img = self.pre.images[i]
        lab = int(self.pre.labels[i])
        r = rng.random()
        if r < self.clean_frac:
            # Some views stay close to the original photo (flips, right-angle turns, mild
            # light): the disease signal is learnt faster when not every view is hard.
            out = np.rot90(img[:, ::-1] if rng.random() < 0.5 else img, int(rng.integers(4)))
            return augment.mild(rng, augment.clean(np.ascontiguousarray(out), self.size))
        if self.has_mask[i] and r < self.clean_frac + 0.45:
            extra = None
            pool = self.by_label_masked[lab]
            if rng.random() < 0.15 and len(pool) > 1:
                j = int(rng.choice(pool))
                extra = (self.pre.images[j], self.pre.masks[j])
            out = augment.composite(rng, img, self.pre.masks[i], self.size, self._background(rng), extra)
        else:
            out = augment.geometric(rng, img, self.size, (0.9, 1.3))
        return augment.photometric(rng, out)

    def negative(self, rng: np.random.Generator) -> NDArray[np.uint8]:
        kinds = ("soil", "skin", "wall", "wood", "any", "stripes", "plain")
        img = augment.texture(rng, self.size, kinds[int(rng.integers(len(kinds)))])
        if rng.random() < 0.3:  # man-made clutter: shapes on the texture
            for _ in range(int(rng.integers(1, 6))):
                col = [float(v) for v in rng.uniform(0, 255, 3)]
                c = (int(rng.integers(0, self.size)), int(rng.integers(0, self.size)))
                if rng.random() < 0.5:
                    augment.cv2.circle(img, c, int(rng.integers(4, 40)), col, -1)
                else:
                    augment.cv2.rectangle(
                        img, c, (c[0] + int(rng.integers(5, 60)), c[1] + int(rng.integers(5, 60))), col, -1
                    )
        return augment.photometric(rng, img)

    def batch(self) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        rng = self.rng
        n_neg = int(rng.binomial(BATCH, NEG_FRACTION))
        idx = rng.choice(self.train_idx, BATCH - n_neg)
        xs = [self.sample(rng, int(i)) for i in idx] + [self.negative(rng) for _ in range(n_neg)]
        smooth = 0.05
        y = np.full((BATCH, self.k), smooth / self.k, np.float32)
        y[np.arange(BATCH - n_neg), self.pre.labels[idx]] += 1.0 - smooth
        y[BATCH - n_neg :] = 1.0 / self.k  # outlier exposure: uniform target
        x = np.stack(xs).astype(np.float32)
        perm = rng.permutation(BATCH)
        return x[perm], y[perm]

    def stream(self, prefetch: int = 6) -> Iterator[tuple[NDArray[np.float32], NDArray[np.float32]]]:
        q: queue.Queue[tuple[NDArray[np.float32], NDArray[np.float32]]] = queue.Queue(prefetch)

        def worker() -> None:
            while True:
                q.put(self.batch())

        threading.Thread(target=worker, daemon=True).start()
        while True:
            yield q.get()


def stage_fit(pre: Preloaded, labels: LabelSet, work: Path, epochs: int, cycle: int = 0) -> None:
    """One cosine learning-rate cycle.  Cycles > 0 continue from the saved model with a
    lower peak (warm restarts, Loshchilov & Hutter 2017, arXiv:1608.03983) and a larger
    share of near-original views (see ``CYCLES``)."""
    import keras
    import tensorflow as tf

    from vision.train.net import INPUT_SIZE, build_model

    keras.utils.set_random_seed(SEED + cycle)
    peak, clean_frac = CYCLES[cycle]
    if cycle > 0:
        model = keras.models.load_model(work / "model.keras")
        (work / "model.keras").replace(work / f"model_cycle{cycle}.keras")
    else:
        model = build_model(len(labels))
    _log(f"model: {model.count_params():,} parameters, input {INPUT_SIZE}x{INPUT_SIZE}, peak lr {peak}")
    n_train = int((pre.split == 0).sum())
    steps = int(np.ceil(n_train / (BATCH * (1 - NEG_FRACTION))))
    sched = keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=steps * (epochs - 1), warmup_target=peak, warmup_steps=steps, alpha=0.01
    )
    model.compile(
        optimizer=keras.optimizers.AdamW(sched, weight_decay=5e-5),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.CategoricalAccuracy(name="acc")],
    )
    val = pre.split == 1
    xv = np.stack([augment.clean(im, INPUT_SIZE) for im in pre.images[val]]).astype(np.float32)
    yv = np.eye(len(labels), dtype=np.float32)[pre.labels[val]]
    maker = BatchMaker(pre, len(labels), SEED + 100 * cycle, INPUT_SIZE, clean_frac)
    t0 = time.time()

    class Progress(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            logs = logs or {}
            el = time.time() - t0
            eta = el / (epoch + 1) * (epochs - epoch - 1)
            va = logs.get("val_acc")
            vs = f" val_acc {va:.4f}" if va is not None else ""
            _log(
                f"epoch {epoch + 1}/{epochs} loss {logs.get('loss', 0):.4f} acc {logs.get('acc', 0):.4f}{vs}"
                f" elapsed {el / 60:.1f} min, ETA {eta / 60:.1f} min"
            )

    ckpt = keras.callbacks.ModelCheckpoint(str(work / "model.keras"), save_best_only=False)
    model.fit(
        maker.stream(),
        steps_per_epoch=steps,
        epochs=epochs,
        validation_data=(xv, yv),
        validation_freq=[e for e in range(1, epochs + 1) if e % 4 == 0 or e == epochs],
        callbacks=[Progress(), ckpt],
        verbose=0,
    )
    model.save(work / "model.keras")
    _log(f"saved {work / 'model.keras'}; fit took {(time.time() - t0) / 60:.1f} min")
    del tf


def stage_export(pre: Preloaded, labels: LabelSet, work: Path, model_dir: Path) -> None:
    """Full-integer int8 post-training quantisation with a representative dataset."""
    import keras
    import tensorflow as tf

    from vision.train.net import INPUT_SIZE

    model = keras.models.load_model(work / "model.keras")
    maker = BatchMaker(pre, len(labels), SEED + 1, INPUT_SIZE)
    rng = np.random.default_rng(SEED + 2)
    tr = np.nonzero(pre.split == 0)[0]
    reps: list[NDArray[np.float32]] = []
    for i in rng.choice(tr, 200, replace=False):
        reps.append(augment.clean(pre.images[int(i)], INPUT_SIZE).astype(np.float32))
    for i in rng.choice(tr, 200, replace=False):
        reps.append(maker.sample(rng, int(i)).astype(np.float32))
    for _ in range(50):
        reps.append(maker.negative(rng).astype(np.float32))

    def rep_data() -> Iterator[list[NDArray[np.float32]]]:
        for r in reps:
            yield [r[None]]

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = rep_data
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    blob = conv.convert()
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / MODEL_FILE).write_bytes(blob)
    _log(f"wrote {model_dir / MODEL_FILE} ({len(blob) / 1024:.0f} KiB)")


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
    p.add_argument("--model-dir", type=Path, default=MODEL_DIR)
    p.add_argument("--epochs", type=int, default=EPOCHS, help="epochs of the first cosine cycle")
    p.add_argument(
        "--polish-epochs", type=int, default=POLISH_EPOCHS, help="epochs of a third, lowest cycle (0 = none)"
    )
    p.add_argument(
        "--restart-epochs",
        type=int,
        default=RESTART_EPOCHS,
        help="epochs of a second, lower cycle (0 = none)",
    )
    p.add_argument(
        "--stage",
        choices=("all", "fit", "restart", "polish", "export", "calibrate", "evaluate"),
        default="all",
    )


def run(args: argparse.Namespace) -> int:
    data_dir: Path = (args.data or default_data_dir()).resolve()
    if not (data_dir / "MANIFEST.csv").exists():
        print(f"dataset not found at {data_dir} (use --data DIR or RUONGSO_DATASET_DIR)")
        return 2
    labels = load_labels(args.model_dir)
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    pre = load_or_preload(data_dir, labels, work)
    if args.stage in ("all", "fit"):
        stage_fit(pre, labels, work, args.epochs)
    if args.stage in ("all", "fit", "restart") and args.restart_epochs > 0:
        stage_fit(pre, labels, work, args.restart_epochs, cycle=1)
    if args.stage in ("all", "fit", "restart", "polish") and args.polish_epochs > 0:
        stage_fit(pre, labels, work, args.polish_epochs, cycle=2)
    if args.stage in ("all", "fit", "restart", "polish", "export"):
        stage_export(pre, labels, work, args.model_dir)
    if args.stage in ("all", "calibrate", "evaluate"):
        from vision.train import calibrate

        if args.stage != "evaluate":
            calibrate.stage_calibrate(pre, labels, args.model_dir, work, data_dir)
        calibrate.stage_evaluate(pre, labels, args.model_dir, work, data_dir)
    (work / "done.json").write_text(json.dumps({"stage": args.stage, "time": time.time()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
