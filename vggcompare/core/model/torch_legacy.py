"""Read a state dict from a legacy (non-zip) ``torch.save`` file without torch, and without unpickling code.

The legacy layout is five things one after another: a pickled magic number, the protocol version,
a system-info dict, the pickled object itself, and a pickled list of storage keys, followed by
each storage's raw bytes (an 8-byte little-endian element count, then the elements). The object
pickle may name only ``collections.OrderedDict``, ``torch._utils._rebuild_tensor_v2`` and the
float and integer storage types; these names are mapped to this module's own NumPy functions.
Any other name is refused with one sentence, so no other Python object is ever built.
"""

from __future__ import annotations

import collections
import io
import pickle
from typing import Any, BinaryIO

import numpy as np

from vggcompare.core.errors import ModelError

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_STORAGE_DTYPES = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
}


class _Storage:
    """A storage named in the pickle; its bytes are filled in after the object pickle is read."""

    def __init__(self, dtype: np.dtype, key: str, numel: int) -> None:
        self.dtype, self.key, self.numel = dtype, key, numel
        self.data: np.ndarray | None = None


class _Tensor:
    """A tensor's view of a storage: offset, size and stride in elements, read once storages are loaded."""

    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple) -> None:
        self.storage, self.offset, self.size, self.stride = storage, int(offset), tuple(size), tuple(stride)

    def to_numpy(self) -> np.ndarray:
        data = self.storage.data
        if data is None:
            raise ModelError(f"storage {self.storage.key} has no data in the file")
        count = int(np.prod(self.size)) if self.size else 1
        if count == 0:
            return np.zeros(self.size, data.dtype)
        last = self.offset + sum((n - 1) * s for n, s in zip(self.size, self.stride))
        if self.offset < 0 or last >= data.size or any(s < 0 for s in self.stride):
            raise ModelError(f"a tensor reaches outside its storage ({self.storage.key})")
        item = data.dtype.itemsize
        view = np.lib.stride_tricks.as_strided(
            data[self.offset:], shape=self.size, strides=tuple(s * item for s in self.stride), writeable=False
        )
        return np.array(view, copy=True)


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad=False, hooks=None, *rest):
    if not isinstance(storage, _Storage) or not isinstance(size, tuple) or not isinstance(stride, tuple):
        raise ModelError("the file's tensor records are not in the expected form")
    if len(size) != len(stride) or not all(isinstance(v, int) for v in (*size, *stride, offset)):
        raise ModelError("the file's tensor records are not in the expected form")
    return _Tensor(storage, offset, size, stride)


class _StorageType:
    def __init__(self, name: str) -> None:
        self.name, self.dtype = name, _STORAGE_DTYPES[name]


class _StateDictUnpickler(pickle.Unpickler):
    """An unpickler that knows only an ordered dict, tensors and storages; everything else is refused."""

    def __init__(self, handle: BinaryIO) -> None:
        super().__init__(handle)
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise ModelError(f"the weights file names {module}.{name}, which a state dict of tensors never holds; refused")

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage" and isinstance(pid[1], _StorageType)):
            raise ModelError("the weights file refers to something other than a tensor storage; refused")
        _, kind, key, _location, numel, view = pid
        if view is not None or not isinstance(key, str) or not isinstance(numel, int) or numel < 0:
            raise ModelError("the weights file's storage records are not in the expected form")
        storage = self.storages.get(key)
        if storage is None:
            storage = self.storages[key] = _Storage(kind.dtype, key, numel)
        return storage


def _plain_load(handle: BinaryIO) -> Any:
    """Unpickle one of the header records: they may hold numbers, strings and dicts only."""
    return _HeaderUnpickler(handle).load()


class _HeaderUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise ModelError(f"the weights file's header names {module}.{name}; refused")


def read_state_dict(data: bytes) -> "collections.OrderedDict[str, np.ndarray]":
    """Return the state dict of a legacy ``torch.save`` file as NumPy arrays, by key.

    Raises
    ------
    ModelError
        The bytes are not a legacy torch state dict of tensors (one sentence says what is wrong).
    """
    handle = io.BytesIO(data)
    try:
        if _plain_load(handle) != LEGACY_MAGIC:
            raise ModelError("the weights file is not in the legacy torch format (wrong magic number)")
        if _plain_load(handle) != 1001:
            raise ModelError("the weights file uses a torch format version this reader does not know")
        info = _plain_load(handle)
        if not isinstance(info, dict) or info.get("little_endian") is not True:
            raise ModelError("the weights file was not written on a little-endian machine")
        unpickler = _StateDictUnpickler(handle)
        state = unpickler.load()
        keys = _plain_load(handle)
    except ModelError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        raise ModelError(f"the weights file is truncated or damaged ({type(exc).__name__})") from None
    if not isinstance(state, collections.OrderedDict) or not isinstance(keys, list):
        raise ModelError("the weights file does not hold a state dict")
    _read_storages(handle, keys, unpickler.storages)
    out: collections.OrderedDict[str, np.ndarray] = collections.OrderedDict()
    for name, value in state.items():
        if not isinstance(name, str) or not isinstance(value, _Tensor):
            raise ModelError("the weights file's state dict holds something other than named tensors")
        out[name] = value.to_numpy()
    return out


def _read_storages(handle: BinaryIO, keys: list, storages: dict[str, _Storage]) -> None:
    if sorted(map(str, keys)) != sorted(storages):
        raise ModelError("the weights file's storage list does not match its tensors")
    for key in keys:
        storage = storages[key]
        head = handle.read(8)
        if len(head) != 8:
            raise ModelError("the weights file is truncated (a storage is missing)")
        count = int.from_bytes(head, "little", signed=True)
        if count != storage.numel:
            raise ModelError(f"the weights file is damaged (storage {key} has {count} elements, not {storage.numel})")
        raw = handle.read(count * storage.dtype.itemsize)
        if len(raw) != count * storage.dtype.itemsize:
            raise ModelError("the weights file is truncated (a storage ends early)")
        storage.data = np.frombuffer(raw, dtype=storage.dtype)
