"""The network's shape, readable without Keras: the training CLI checks its arguments
against it before the heavy imports, and ``net.py`` builds the graph from it."""

from __future__ import annotations

INPUT_SIZE = 192  # the dataset's short side: rice lesions are a few pixels wide at 160 (docs/model-card.md)
# Stride of each of the 16 MBConv blocks of B0/Lite0: stages start at 1, 3, 5, 8, 11, 15.
STRIDES = (1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1)
N_BLOCKS = len(STRIDES)
# Blocks from this index on (and the head) are fine-tuned; earlier ones stay frozen.
# 8 = the last three stages: enough to re-learn the mid-level texture features that
# separate lesions, few enough to train at ~100 images/s on 2 CPU cores.
DEFAULT_TRAIN_FROM = 8
