"""EfficientNet-Lite0 (Tan & Le 2019, arXiv:1905.11946; Lite variant 2020) in Keras,
initialised from ImageNet weights.

Why Lite0: it was designed for int8 TFLite on phones (ReLU6, no squeeze-excite,
fixed stem/head), so full-integer quantisation costs little accuracy, and
ImageNet features know leaves, soil and hands, which 9,500 lab photos cannot
teach a network trained from scratch.  The layout is read from the checkpoint
(kernel sizes, widths, expansion), only the strides are fixed by the B0 design.

The model takes **BGR float 0..255** (what OpenCV decodes; the int8 input then
maps uint8 pixels almost one to one).  The checkpoint expects RGB normalised as
``(x - 127) / 128``: the rescaling layer does the latter, and the stem kernel's
input-channel axis is reversed so BGR input needs no extra op in the graph.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import layers
from numpy.typing import NDArray

from vision.train.arch import INPUT_SIZE, STRIDES

BN_EPS = 1e-3
HEAD = 1280


def _bn(name: str) -> layers.BatchNormalization:
    return layers.BatchNormalization(epsilon=BN_EPS, momentum=0.99, name=name)


def _block(x: Any, i: int, cin: int, cout: int, expand: int, kernel: int, stride: int) -> Any:
    inp = x
    if expand != 1:
        x = layers.Conv2D(cin * expand, 1, use_bias=False, name=f"b{i}_expand")(x)
        x = _bn(f"b{i}_expand_bn")(x)
        x = layers.ReLU(6.0, name=f"b{i}_expand_relu")(x)
    x = layers.DepthwiseConv2D(kernel, strides=stride, padding="same", use_bias=False, name=f"b{i}_dw")(x)
    x = _bn(f"b{i}_dw_bn")(x)
    x = layers.ReLU(6.0, name=f"b{i}_dw_relu")(x)
    x = layers.Conv2D(cout, 1, use_bias=False, name=f"b{i}_project")(x)
    x = _bn(f"b{i}_project_bn")(x)
    if stride == 1 and cin == cout:
        x = layers.Add(name=f"b{i}_add")([inp, x])
    return x


def _layout(sd: dict[str, NDArray[Any]]) -> list[tuple[int, int, int, int]]:
    """(cin, cout, expand, kernel) per block, read from the checkpoint's tensor shapes."""
    out = []
    for i in range(len(STRIDES)):
        p = f"_blocks.{i}."
        dw = sd[p + "_depthwise_conv.weight"]  # (C, 1, k, k)
        cout = int(sd[p + "_project_conv.weight"].shape[0])
        if p + "_expand_conv.weight" in sd:
            ex = sd[p + "_expand_conv.weight"]
            cin, expand = int(ex.shape[1]), int(ex.shape[0]) // int(ex.shape[1])
        else:
            cin, expand = int(dw.shape[0]), 1
        out.append((cin, cout, expand, int(dw.shape[-1])))
    return out


def build_model(
    num_classes: int, sd: dict[str, NDArray[Any]], dropout: float = 0.2, size: int = INPUT_SIZE
) -> keras.Model:
    """Build the network with its ImageNet weights loaded (head: new dense layer)."""
    inp = keras.Input((size, size, 3), name="image_bgr")
    x = layers.Rescaling(1.0 / 128.0, offset=-127.0 / 128.0, name="norm")(inp)
    stem = int(sd["_conv_stem.weight"].shape[0])
    x = layers.Conv2D(stem, 3, strides=2, padding="same", use_bias=False, name="stem_conv")(x)
    x = _bn("stem_bn")(x)
    x = layers.ReLU(6.0, name="stem_relu")(x)
    for i, (cin, cout, expand, k) in enumerate(_layout(sd)):
        x = _block(x, i, cin, cout, expand, k, STRIDES[i])
    x = layers.Conv2D(HEAD, 1, use_bias=False, name="head_conv")(x)
    x = _bn("head_bn")(x)
    x = layers.ReLU(6.0, name="head_relu")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(dropout, name="drop")(x)
    out = layers.Dense(num_classes, name="logits")(x)
    model = keras.Model(inp, out, name="leaf_disease_effnet_lite0")
    load_imagenet(model, sd)
    return model


def _torch_names(keras_name: str) -> tuple[str, str] | None:
    """Keras layer name -> (checkpoint prefix, kind) with kind 'conv', 'dw' or 'bn'."""
    fixed = {
        "stem_conv": ("_conv_stem", "conv"),
        "stem_bn": ("_bn0", "bn"),
        "head_conv": ("_conv_head", "conv"),
        "head_bn": ("_bn1", "bn"),
    }
    if keras_name in fixed:
        return fixed[keras_name]
    if not keras_name.startswith("b") or "_" not in keras_name:
        return None
    idx, part = keras_name[1:].split("_", 1)
    if not idx.isdigit():
        return None
    parts = {
        "expand": ("_expand_conv", "conv"),
        "expand_bn": ("_bn0", "bn"),
        "dw": ("_depthwise_conv", "dw"),
        "dw_bn": ("_bn1", "bn"),
        "project": ("_project_conv", "conv"),
        "project_bn": ("_bn2", "bn"),
    }
    if part not in parts:
        return None
    name, kind = parts[part]
    return f"_blocks.{idx}.{name}", kind


def load_imagenet(model: keras.Model, sd: dict[str, NDArray[Any]]) -> int:
    """Copy checkpoint tensors into the Keras layers; returns how many layers were set."""
    n = 0
    for layer in model.layers:
        m = _torch_names(layer.name)
        if m is None:
            continue
        prefix, kind = m
        if kind == "bn":
            layer.set_weights(
                [sd[f"{prefix}.{k}"] for k in ("weight", "bias", "running_mean", "running_var")]
            )
        else:
            w = sd[f"{prefix}.weight"]
            # depthwise (C, 1, kh, kw) -> (kh, kw, C, 1); conv OIHW -> HWIO
            w = w.transpose(2, 3, 0, 1) if kind == "dw" else w.transpose(2, 3, 1, 0)
            if layer.name == "stem_conv":
                w = w[:, :, ::-1, :]  # the model is fed BGR; the checkpoint expects RGB
            layer.set_weights([np.ascontiguousarray(w)])
        n += 1
    return n


def freeze_before(model: keras.Model, first_block: int) -> int:
    """Freeze the stem and blocks < ``first_block`` (their BN layers then run in
    inference mode, keeping ImageNet statistics).  Returns trainable parameter count."""
    for layer in model.layers:
        name = layer.name
        if name.startswith("stem_"):
            layer.trainable = False
        elif name.startswith("b") and name[1:].split("_", 1)[0].isdigit():
            layer.trainable = int(name[1:].split("_", 1)[0]) >= first_block
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))
