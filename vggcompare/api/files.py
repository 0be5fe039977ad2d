"""Result files from the API: saving a run with a copy of an in-memory model (hashed), and reading JSON files."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from vggcompare.core.errors import ModelError, ResultFileError


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model_copy(model: Any, path: str | os.PathLike) -> tuple[Path, str]:
    """Save ``model`` as a .keras file (atomically) and return (path, SHA-256); ModelError if Keras cannot save it."""
    from vggcompare.core.atomic import atomic_write

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.saving.keras")
    try:
        model.save(str(tmp))
    except Exception as exc:  # noqa: BLE001 - Keras raises many types; one sentence says which
        tmp.unlink(missing_ok=True)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise ModelError(f"the model {getattr(model, 'name', '')} cannot be saved as a .keras file ({first})") from None
    try:
        atomic_write(target, lambda handle: handle.write(tmp.read_bytes()))
    finally:
        tmp.unlink(missing_ok=True)
    return target, file_sha256(target)


def save_run(result: Any, path: str | os.PathLike, model: Any = None, copy_model: bool = True) -> Path:
    """Save a run as JSON; an in-memory model gets a .keras copy beside it, named in the JSON with its SHA-256.

    ``copy_model=False`` leaves the in-memory model's name in the file (enough to show or draw the result)."""
    from vggcompare.core.model.in_memory import held_model, is_in_memory
    from vggcompare.core.storage.result_file import save_result

    target = Path(path)
    if target.suffix.lower() != ".json":
        raise ResultFileError(f"{target.name}: a result is saved as .json")
    config, environment = result.config, result.environment
    if is_in_memory(config.model) and copy_model:
        held = model if model is not None else held_model(config.model)
        copy, digest = save_model_copy(held, target.with_suffix(".keras"))
        config = config.replace(model=str(copy.resolve()))
        environment = dataclasses.replace(environment, model_sha256=digest)
    if config.labels and Path(config.labels).parent == Path(_scratch()):
        labels = target.with_suffix(".labels.txt")
        shutil.copyfile(config.labels, labels)
        config = config.replace(labels=str(labels.resolve()))
    saved = dataclasses.replace(result, config=config, environment=environment) if dataclasses.is_dataclass(result) else result
    return save_result(saved, target)


def _scratch() -> str:
    from vggcompare.api.arguments import scratch_folder

    return scratch_folder()


def read_json(path: Path) -> Any:
    """A JSON file's content; ResultFileError (one sentence) when it cannot be read or parsed."""
    try:
        with open(path, "rb") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise ResultFileError(f"{path} does not exist") from None
    except (OSError, ValueError) as exc:
        raise ResultFileError(f"{path.name} cannot be read as JSON ({type(exc).__name__})") from None
