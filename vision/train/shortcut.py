"""A validation set that *measures* the style shortcut, used for model selection.

Why: accuracy on clean validation photos cannot see the shortcut, because in
this dataset style and crop agree everywhere (lab = not rice, field = rice).
This set breaks the agreement on purpose, using validation-split photos only:

* ``clean``: the validation photos as they are;
* ``lab_in_field``: validation lab leaves pasted into validation rice *field*
  scenes (sharp or out of focus, occluders, phone effects): style says "rice",
  the leaf says otherwise;
* ``rice_lab_style``: validation rice photos zoomed onto a leaf on a plain
  board: style says "not rice".

Reported per part: top-1, and for the swapped parts the share of photos whose
*crop* was taken from the style (lab leaf -> a rice class, rice -> a non-rice
class).  The selection score is the mean top-1 over the three parts, so a model
that follows the style loses on one of them whatever it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vision.train import augment
from vision.train.batches import BatchMaker, lab_style
from vision.train.data import SEED, Preloaded

PARTS = ("clean", "lab_in_field", "rice_lab_style")


@dataclass
class ShortcutSet:
    x: NDArray[np.float32]
    y: NDArray[np.int64]
    part: NDArray[np.int64]
    rice: NDArray[np.bool_]  # class index -> is a rice class

    def summary(self) -> str:
        return ", ".join(f"{p} {int((self.part == i).sum())}" for i, p in enumerate(PARTS))

    def evaluate(self, logits: NDArray[Any]) -> dict[str, Any]:
        pred = np.asarray(logits).argmax(axis=1)
        out: dict[str, Any] = {}
        for i, p in enumerate(PARTS):
            sel = self.part == i
            out[p] = float((pred[sel] == self.y[sel]).mean()) if sel.any() else float("nan")
        lf, rl = self.part == 1, self.part == 2
        out["lab_in_field_called_rice"] = float(self.rice[pred[lf]].mean()) if lf.any() else 0.0
        out["rice_lab_style_called_other"] = float((~self.rice[pred[rl]]).mean()) if rl.any() else 0.0
        out["score"] = float(np.nanmean([out[p] for p in PARTS]))
        return out


def fmt(res: dict[str, Any]) -> str:
    return (
        f"clean {res['clean']:.3f} lab-in-field {res['lab_in_field']:.3f} "
        f"(called rice {res['lab_in_field_called_rice']:.3f}) rice-lab-style {res['rice_lab_style']:.3f} "
        f"(called other crop {res['rice_lab_style_called_other']:.3f}) score {res['score']:.3f}"
    )


def validation_set(
    pre: Preloaded, num_classes: int, size: int, split: int = 1, n_swap: int = 600, seed: int = SEED + 77
) -> ShortcutSet:
    """Build the set from one split (validation by default); deterministic."""
    rng = np.random.default_rng(seed)
    idx = np.nonzero(pre.split == split)[0]
    crops = np.array([it.path.split("__")[0] for it in pre.items])
    # Backgrounds and leaves both come from this split: nothing here was trained on.
    maker = BatchMaker(pre, num_classes, seed, size, train_idx=idx)
    xs: list[NDArray[Any]] = [augment.clean(pre.images[int(i)], size) for i in idx]
    ys, parts = [int(pre.labels[int(i)]) for i in idx], [0] * len(idx)
    lab_idx = idx[maker.has_mask[idx]]
    for i in rng.choice(lab_idx, min(n_swap, len(lab_idx)), replace=False):
        view = maker.field_view(rng, int(i))
        xs.append(augment.photometric(rng, view))
        ys.append(int(pre.labels[int(i)]))
        parts.append(1)
    rice_idx = idx[crops[idx] == "rice"]
    for i in rice_idx:
        xs.append(augment.photometric(rng, lab_style(rng, pre.images[int(i)], size)))
        ys.append(int(pre.labels[int(i)]))
        parts.append(2)
    rice_cls = np.zeros(num_classes, bool)
    for i in rice_idx:
        rice_cls[int(pre.labels[int(i)])] = True
    return ShortcutSet(
        np.stack(xs).astype(np.float32), np.array(ys, np.int64), np.array(parts, np.int64), rice_cls
    )
