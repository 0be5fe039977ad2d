"""The exports' cache under Keras' own folder (``$KERAS_HOME/models/vggcompare-exports``), so a fresh KERAS_HOME starts empty.

An export is keyed by the model's architecture and weights (the SHA-256 of its configuration JSON, layer names
replaced by their order, and of every weight array's bytes, shape and dtype: a model with one more weightless
``Rescaling`` layer is another model), by the converter's name and version, and by its settings. It is written
into a scratch folder beside the cache and moved into place in one rename, with a record of the SHA-256 of its
bytes; a later use checks that hash, and a damaged or altered export is made again, with one sentence saying so.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from vggcompare.core.atomic import atomic_write_text
from vggcompare.core.model.weights import keras_cache_dir

FOLDER = "vggcompare-exports"


@dataclass(frozen=True)
class Export:
    """An export in the cache: where it is, whether this use made it, how long that took, and its SHA-256."""

    path: Path
    made: bool
    seconds: float
    sha256: str
    rebuilt_because: str = ""  # the sentence saying why a cached export was not trusted

    def note(self, what: str) -> str:
        """One sentence for the run's notes: made (and how long) or reused."""
        if self.made:
            again = f" ({self.rebuilt_because}; made again)" if self.rebuilt_because else ""
            return f"{what}: exported in {self.seconds:.2f} s and cached as {self.path.name}{again}."
        return f"{what}: reused the cached export {self.path.name} (checked in {self.seconds:.2f} s)."


def exports_dir() -> Path:
    """The folder of cached exports (under KERAS_HOME, or ~/.keras)."""
    return keras_cache_dir() / FOLDER


def model_fingerprint(model: Any) -> str:
    """SHA-256 of the model's architecture (its config JSON, layer names replaced by their order) and weights."""
    names = {}
    for layer in [model, *model._flatten_layers(include_self=False, recursive=True)]:
        names.setdefault(layer.name, f"layer{len(names)}")
    digest = hashlib.sha256(json.dumps(_renamed(model.get_config(), names), sort_keys=True, default=str).encode())
    import keras
    import numpy as np

    for weight in model.weights:
        array = np.ascontiguousarray(keras.ops.convert_to_numpy(weight.value))
        digest.update(f"{array.dtype}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _renamed(value: Any, names: dict[str, str]) -> Any:
    """``value`` with every string that is a layer's name replaced by its place (names Keras numbers per process)."""
    if isinstance(value, dict):
        return {k: _renamed(v, names) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_renamed(v, names) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


def export_key(fingerprint: str, runtime: str, converter: dict[str, str], settings: dict[str, Any]) -> str:
    """The cache key: the model's fingerprint, the runtime, the converter's name and version, its settings."""
    text = json.dumps({"model": fingerprint, "runtime": runtime, "converter": converter, "settings": settings}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def content_sha256(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (their relative names and bytes, in name order)."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        if file is not path:
            digest.update(str(file.relative_to(path)).encode())
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
    return digest.hexdigest()


def _record(target: Path) -> Path:
    return target.with_name(target.name + ".sha256.json")


def _check(target: Path) -> str:
    """'' when the cached export is whole; else the sentence saying what is wrong with it."""
    try:
        expected = json.loads(_record(target).read_text())["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return f"the cached export {target.name} has no valid checksum record"
    if content_sha256(target) != expected:
        return f"the cached export {target.name} is damaged or altered (SHA-256 mismatch)"
    return ""


def cached_export(key: str, suffix: str, make: Callable[[Path], None], say: Callable[[str], None] | None = None) -> Export:
    """The export named by ``key``: the cached one when it is whole, else made by ``make(path)`` and cached.

    ``make`` writes the export at the path it is given (a file, or a folder for a SavedModel); it raises
    for a model its converter refuses, and nothing is cached then. ``say`` hears why a cached export was
    not trusted."""
    folder = exports_dir()
    target = folder / f"{key}{suffix}"
    t0 = time.perf_counter()
    reason = ""
    if target.exists():
        reason = _check(target)
        if not reason:
            return Export(target, False, time.perf_counter() - t0, json.loads(_record(target).read_text())["sha256"])
        if say is not None:
            say(f"{reason}; making it again.")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".export-") as scratch:
        made = Path(scratch) / target.name
        make(made)
        sha = content_sha256(made)
        _remove(target)
        os.replace(made, target)  # one rename: another process sees the old export or the whole new one
    atomic_write_text(_record(target), json.dumps({"sha256": sha}))
    return Export(target, True, time.perf_counter() - t0, sha, reason)


def _remove(target: Path) -> None:
    if target.is_dir():
        shutil.rmtree(target, ignore_errors=True)
    elif target.exists():
        target.unlink()
