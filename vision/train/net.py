"""A compact CNN trained from scratch (no pretrained weights are available offline).

MobileNet-style depthwise-separable blocks (Howard et al. 2017, arXiv:1704.04861)
with residual connections where shapes match, batch norm and plain ReLU (quantises
cleanly to int8, Jacob et al. 2018, arXiv:1712.05877).  About 0.3 M parameters,
~35 M multiply-adds at 128x128, so the int8 file is a few hundred KB.

The model takes BGR pixels as float 0..255 and normalises inside, so the int8
input tensor's quantisation is (almost) the identity on uint8 pixels.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import layers

INPUT_SIZE = 128


def _ds(x: Any, filters: int, stride: int, name: str) -> Any:
    inp = x
    y = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False, name=f"{name}_dw")(x)
    y = layers.BatchNormalization(name=f"{name}_dwbn")(y)
    y = layers.ReLU(name=f"{name}_dwrelu")(y)
    y = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_pw")(y)
    y = layers.BatchNormalization(name=f"{name}_pwbn")(y)
    if stride == 1 and int(inp.shape[-1]) == filters:
        y = layers.Add(name=f"{name}_add")([inp, y])
    return layers.ReLU(name=f"{name}_relu")(y)


def build_model(num_classes: int, width: float = 1.0, dropout: float = 0.2) -> keras.Model:
    def w(c: int) -> int:
        return max(8, round(c * width / 8) * 8)

    inp = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), name="image_bgr")
    x = layers.Rescaling(1.0 / 127.5, offset=-1.0, name="norm")(inp)
    x = layers.Conv2D(w(32), 3, strides=2, padding="same", use_bias=False, name="stem")(x)  # 64
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.ReLU(name="stem_relu")(x)
    x = _ds(x, w(48), 2, "b2")  # 32
    x = _ds(x, w(48), 1, "b3")
    x = _ds(x, w(96), 2, "b4")  # 16
    x = _ds(x, w(96), 1, "b5")
    x = _ds(x, w(96), 1, "b6")
    x = _ds(x, w(192), 2, "b7")  # 8
    x = _ds(x, w(192), 1, "b8")
    x = _ds(x, w(192), 1, "b9")
    x = _ds(x, w(320), 1, "b10")
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(dropout, name="drop")(x)
    out = layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inp, out, name="leaf_disease_net")
