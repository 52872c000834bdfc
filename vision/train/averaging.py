"""Weight averaging over the last epochs of the fine-tuning cycle (pure numpy).

Averaging the weights a fit passes through near its end lands in a flatter part of
the loss surface than any single checkpoint, which tends to generalise and calibrate
better at no cost to the exported model's size or speed (Izmailov et al. 2018,
"Averaging Weights Leads to Wider Optima and Better Generalization", UAI,
arXiv:1803.05407).  The fit keeps the average only where it beats the best single
epoch on the *validation* shortcut set, so the choice never looks at test data.

Only floating-point variables are averaged; anything else a model holds (integer
counters, random-generator states) is taken from the last snapshot unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray


class TailAverage:
    """Running mean of a model's weight list, one snapshot per epoch."""

    def __init__(self) -> None:
        self._sum: list[NDArray[np.float64] | None] = []
        self._last: list[NDArray[Any]] = []
        self.count = 0

    def add(self, weights: Sequence[NDArray[Any]]) -> None:
        arrays = [np.asarray(w) for w in weights]
        if self.count and len(arrays) != len(self._last):
            raise ValueError(f"snapshot has {len(arrays)} arrays, earlier ones {len(self._last)}")
        if not self.count:
            self._sum = [
                np.zeros(a.shape, np.float64) if np.issubdtype(a.dtype, np.floating) else None for a in arrays
            ]
        for k, a in enumerate(arrays):
            acc = self._sum[k]
            if acc is None:
                continue
            if a.shape != acc.shape:
                raise ValueError(f"array {k} changed shape: {acc.shape} -> {a.shape}")
            acc += a
        self._last = [a.copy() for a in arrays]
        self.count += 1

    def mean(self) -> list[NDArray[Any]]:
        """The averaged weights, each in its original dtype."""
        if not self.count:
            raise ValueError("no snapshot to average")
        return [
            last if acc is None else (acc / self.count).astype(last.dtype)
            for acc, last in zip(self._sum, self._last, strict=True)
        ]
