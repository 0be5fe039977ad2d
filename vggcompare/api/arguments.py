"""What the API's arguments accept, turned into what the core runs: a model name, an image, a configuration and
the caller's own functions.

- ``model``: a built-in name (``vggcompare models`` lists them), a ``.keras``/``.h5`` path, or a ``keras.Model``;
- ``image``: a path, a PIL image, or an H×W×3 uint8 array (the last two are kept as a lossless PNG file);
- ``preprocess``: a mode name or the caller's function (a float32 batch in, a batch out);
- ``loader``: a loader name or the caller's function (a path in, an H×W×3 array out);
- ``labels``: a labels file, or a list of names (for a model that does not output the 1000 ImageNet classes).
"""

from __future__ import annotations

import atexit
import dataclasses
import hashlib
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from vggcompare.core.catalog import lookup
from vggcompare.core.config import (
    DEFAULT_INTERPOLATION, LOADERS, PREPROCESS_MODES, SEEDINGS, AugmentConfig, ExperimentConfig,
)
from vggcompare.core.errors import ConfigError, ImageError, LabelsError, ModelError
from vggcompare.core.input.images import LoadedImage, load_image
from vggcompare.core.input.user_functions import UserPipeline

_FOLDER: list[str] = []


def scratch_folder() -> str:
    """A folder for this process's copies (images given as arrays, labels given as lists); removed at exit."""
    if not _FOLDER:
        _FOLDER.append(tempfile.mkdtemp(prefix="vggcompare-api-"))
        atexit.register(shutil.rmtree, _FOLDER[0], True)
    return _FOLDER[0]


@dataclass
class ModelArgument:
    """The model as the configuration names it, and the object itself when the caller holds it in memory."""

    name: str
    held: Any = None
    labels: str | None = None
    label_count: int | None = None  # the names given as a list, checked against the outputs before any pass


def is_keras_model(value: Any) -> bool:
    """Whether ``value`` looks like a Keras model (checked without importing Keras)."""
    return hasattr(value, "inputs") and hasattr(value, "outputs") and callable(value) and hasattr(value, "layers")


def model_argument(model: Any, labels: str | os.PathLike | Sequence[str] | None = None) -> ModelArgument:
    """Resolve ``model`` and ``labels``; ModelError or LabelsError (one sentence) when they cannot be used."""
    if is_keras_model(model):
        from vggcompare.core.model.in_memory import hold

        classes = check_model_object(model)
        found = ModelArgument(hold(model), held=model)
    elif isinstance(model, (str, os.PathLike)):
        text = os.fspath(model)
        if lookup(text) is not None:
            found, classes = ModelArgument(text), None
        else:
            path = os.path.abspath(os.path.expanduser(text))
            from vggcompare.core.model.trust import is_saved_model

            if not os.path.isfile(path) and not is_saved_model(path):  # a SavedModel folder runs with trust_model=True
                raise ModelError(f"{text} is neither a built-in model (vggcompare models lists them) nor a model file here")
            found, classes = ModelArgument(path), None
    else:
        raise ModelError(f"the model must be a built-in name, a .keras or .h5 path, or a keras.Model, not a {type(model).__name__}")
    if labels is None:
        return found
    if isinstance(labels, (str, os.PathLike)):
        found.labels = os.path.abspath(os.fspath(labels))
        return found
    names = [str(n) for n in labels]
    if classes is not None and len(names) != classes:
        raise LabelsError(f"labels has {len(names)} names but the model outputs {classes} classes")
    text = "\n".join(names) + "\n"
    path = os.path.join(scratch_folder(), f"labels-{hashlib.sha256(text.encode()).hexdigest()[:16]}.txt")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    found.labels, found.label_count = path, len(names)
    return found


def check_model_object(model: Any) -> int:
    """The class count of an in-memory model; ModelError saying what is wrong when it is not an image classifier."""
    name = getattr(model, "name", "the model")
    outputs = list(getattr(model, "outputs", None) or [])
    if len(outputs) != 1:
        raise ModelError(f"the model {name} has {len(outputs)} outputs; give a model with one output, its class vector "
                         "(for example keras.Model(model.inputs, model.outputs[0]))")
    shape = tuple(outputs[0].shape)
    if len(shape) != 2 or shape[-1] is None or shape[-1] < 2:
        shown = "×".join("?" if d is None else str(d) for d in shape)
        raise ModelError(f"the model {name} outputs shape {shown}, not a class vector (batch × classes)")
    from vggcompare.core.model.user_models import check_image_classifier

    check_image_classifier(model, f"the model {name}")
    return int(shape[-1])


def image_argument(image: Any) -> LoadedImage:
    """A path, PIL image or H×W×3 uint8 array as the LoadedImage the engine takes (arrays via a PNG copy)."""
    if isinstance(image, (str, os.PathLike)):
        return _load_path(os.path.abspath(os.fspath(image)))
    if isinstance(image, LoadedImage):
        return image
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is a dependency
        Image = None
    if Image is not None and isinstance(image, Image.Image):
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        return _kept(buffer.getvalue())
    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3 or 0 in image.shape:
            raise ImageError(f"an image array must be H×W×3 uint8, not {image.dtype} with shape {image.shape}")
        from vggcompare.core.input.images import encode_png

        return _kept(encode_png(image))
    raise ImageError(f"the image must be a path, a PIL image or an H×W×3 uint8 array, not a {type(image).__name__}")


_LAST: dict[tuple, LoadedImage] = {}


def _load_path(path: str) -> LoadedImage:
    """``load_image(path)``, reused while the file is unchanged (same size and modification time): a notebook runs
    one picture again and again, and decoding it is a few percent of a small model's passes."""
    try:
        stat = os.stat(path)
    except OSError:
        return load_image(path)  # it says what is wrong with the path
    key = (path, stat.st_mtime_ns, stat.st_size)
    found = _LAST.get(key)
    if found is None:
        found = load_image(path)
        _LAST.clear()
        _LAST[key] = found
    return found


def _kept(png: bytes) -> LoadedImage:
    """The PNG written to the scratch folder (named by its content), loaded from there, so new processes can read it."""
    path = os.path.join(scratch_folder(), f"image-{hashlib.sha256(png).hexdigest()[:16]}.png")
    if not os.path.exists(path):
        with open(path, "wb") as handle:
            handle.write(png)
    return _load_path(path)


def pipeline_arguments(preprocess: str | Callable | None, loader: str | Callable | None) -> tuple[dict[str, Any], UserPipeline | None]:
    """Configuration changes for ``preprocess`` and ``loader``, and the caller's functions among them."""
    changes: dict[str, Any] = {}
    own_loader = own_preprocess = None
    if callable(preprocess):
        own_preprocess = preprocess
        changes.update(preprocess="none")
    elif preprocess is not None:
        if preprocess not in PREPROCESS_MODES:
            raise ConfigError(f"preprocess must be a mode ({', '.join(PREPROCESS_MODES)}) or your own function, not {preprocess!r}")
        changes["preprocess"] = preprocess
    if callable(loader):
        own_loader = loader
    elif loader is not None:
        if loader not in LOADERS:
            raise ConfigError(f"loader must be a loader's name ({', '.join(LOADERS)}) or your own function, not {loader!r}")
        changes["loader"] = loader
    pipeline = UserPipeline(own_loader, own_preprocess) if own_loader or own_preprocess else None
    if pipeline is not None:
        changes.update(loader_function=pipeline.loader_name, preprocess_function=pipeline.preprocess_name)
    return changes, pipeline


def seeding_arguments(seeding: str | int) -> dict[str, Any]:
    """``seeding`` as configuration fields: "off", "once", "every-pass", or a seed (once, with that seed)."""
    if isinstance(seeding, bool):
        raise ConfigError(f"seeding must be one of {', '.join(SEEDINGS)} or a seed number, not {seeding!r}")
    if isinstance(seeding, int):
        return {"seeding": "once", "seed": seeding}
    if seeding not in SEEDINGS:
        raise ConfigError(f"seeding must be one of {', '.join(SEEDINGS)} or a seed number, not {seeding!r}")
    return {"seeding": seeding}


def augment_argument(augment: bool | dict | AugmentConfig) -> AugmentConfig:
    """``augment``: True (the popular answer's generator), False, or a dict of AugmentConfig fields."""
    if isinstance(augment, AugmentConfig):
        return augment
    if isinstance(augment, bool):
        return AugmentConfig(enabled=augment)
    if isinstance(augment, dict):
        known = {f.name for f in dataclasses.fields(AugmentConfig)}
        unknown = sorted(set(augment) - known)
        if unknown:
            raise ConfigError(f"unknown augmentation setting(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        return AugmentConfig(**{"enabled": True, **augment})
    raise ConfigError(f"augment must be True, False or a dict of augmentation settings, not {type(augment).__name__}")


def build_config(model: ModelArgument, image: LoadedImage, changes: dict[str, Any]) -> ExperimentConfig:
    """The validated configuration; unknown settings and bad values are one ConfigError sentence."""
    known = {f.name for f in dataclasses.fields(ExperimentConfig)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
    if changes.get("interpolation") is None:
        changes["interpolation"] = DEFAULT_INTERPOLATION[changes.get("loader", "load-img")]
    source = image.source if image.source and not image.source.startswith("<") else None
    try:
        config = ExperimentConfig(image=source, model=model.name, labels=model.labels, **changes)
    except TypeError as exc:
        raise ConfigError(f"a setting has the wrong type ({exc})") from None
    return config.validate()
