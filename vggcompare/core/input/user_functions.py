"""The caller's own loader and preprocessing functions (the Python API), checked at every call.

A loader takes an image file's path and returns the H×W×3 picture its code feeds on (uint8, or float in
0..255), at the model's input size. A preprocessing function takes a float32 (B, H, W, 3) batch of RGB values
in 0..255 and returns the batch the model receives, of the same shape. Each gets its own copy of the input,
so a function that works in place (as Keras' ``preprocess_input`` does on float arrays) changes nothing else.
Whatever they raise or return wrong becomes one :class:`UserFunctionError` sentence naming the function.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from vggcompare.core.errors import UserFunctionError
from vggcompare.core.input.images import LoadedImage, encode_png

Loader = Callable[[str], Any]
Preprocess = Callable[[np.ndarray], Any]


def function_name(fn: Callable) -> str:
    """The name a sentence uses for ``fn``: its qualified name without enclosing functions, or its type's."""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or type(fn).__name__
    return name.split("<locals>.")[-1]


def _as_array(value: Any) -> np.ndarray | None:
    """``value`` as a NumPy array (tensors included), or None when it is not array-like."""
    if hasattr(value, "numpy") and callable(value.numpy):
        value = value.numpy()
    try:
        return np.asarray(value)
    except Exception:  # noqa: BLE001 - anything that is not array-like
        return None


def _described(value: Any, array: np.ndarray | None) -> str:
    if array is None or array.dtype == object:
        return f"a {type(value).__name__}"
    return f"an array of shape {tuple(array.shape)} and dtype {array.dtype}"


def _call(fn: Callable, what: str, argument: Any) -> Any:
    try:
        return fn(argument)
    except Exception as exc:  # noqa: BLE001 - the user's code may raise anything: one sentence says which and what
        detail = " ".join(str(exc).split())[:160]
        raise UserFunctionError(f"your {what} function {function_name(fn)} raised {type(exc).__name__}"
                                f"{': ' + detail if detail else ''}") from exc


@dataclass(frozen=True)
class UserPipeline:
    """The caller's own functions that replace the tool's loader and/or preprocessing (either may be None)."""

    loader: Loader | None = None
    preprocess: Preprocess | None = None

    @property
    def loader_name(self) -> str | None:
        """The loader function's name, as the configuration records it."""
        return function_name(self.loader) if self.loader is not None else None

    @property
    def preprocess_name(self) -> str | None:
        """The preprocessing function's name, as the configuration records it."""
        return function_name(self.preprocess) if self.preprocess is not None else None

    def for_config(self, config) -> "UserPipeline | None":
        """The functions ``config`` still uses (a checkup's cause may swap one for the tool's own); None if neither."""
        loader = self.loader if getattr(config, "loader_function", None) else None
        preprocess = self.preprocess if getattr(config, "preprocess_function", None) else None
        return UserPipeline(loader, preprocess) if loader or preprocess else None

    def picture(self, loaded: LoadedImage, size: tuple[int, int]) -> np.ndarray:
        """The user's loader on the image's file (a PNG copy when it has none): float32 (H, W, 3) in 0..255."""
        assert self.loader is not None
        if loaded.source and os.path.isfile(loaded.source):
            value = _call(self.loader, "loader", loaded.source)
        else:
            with tempfile.TemporaryDirectory(prefix="vggcompare-image-") as tmp:
                path = os.path.join(tmp, "image.png")
                with open(path, "wb") as handle:
                    handle.write(encode_png(np.asarray(loaded.image, dtype=np.uint8)))
                value = _call(self.loader, "loader", path)
        return check_picture(value, size, function_name(self.loader))

    def batch(self, batch: np.ndarray) -> np.ndarray:
        """The user's preprocessing on a copy of the float32 (B, H, W, 3) batch: the float32 batch the model receives."""
        assert self.preprocess is not None
        given = np.array(batch, dtype=np.float32, copy=True)
        value = _call(self.preprocess, "preprocessing", given)
        return check_batch(value, batch.shape, function_name(self.preprocess))


def check_picture(value: Any, size: tuple[int, int], name: str) -> np.ndarray:
    """The loader's return value as float32 (H, W, 3), or UserFunctionError saying what was expected."""
    array = _as_array(value)
    height, width = size
    expected = (f"expected an H×W×3 array at the model's input size, {height}×{width}×3, of uint8 or float values in 0..255")
    if array is None or array.dtype == object or array.shape != (height, width, 3):
        raise UserFunctionError(f"your loader function {name} returned {_described(value, array)}; {expected}")
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise UserFunctionError(f"your loader function {name} returned an array of dtype {array.dtype}; {expected}")
    out = array.astype(np.float32)
    if not np.isfinite(out).all():
        raise UserFunctionError(f"your loader function {name} returned NaN or infinite values; {expected}")
    return out


def check_batch(value: Any, shape: tuple[int, ...], name: str) -> np.ndarray:
    """The preprocessing function's return value as float32 of ``shape``, or UserFunctionError saying what was expected."""
    array = _as_array(value)
    expected = f"expected a float array of shape {tuple(shape)}, the shape of the batch it was given"
    if array is None or array.dtype == object or tuple(array.shape) != tuple(shape):
        raise UserFunctionError(f"your preprocessing function {name} returned {_described(value, array)}; {expected}")
    if not np.issubdtype(array.dtype, np.floating):
        raise UserFunctionError(f"your preprocessing function {name} returned an array of dtype {array.dtype}; {expected}")
    return np.ascontiguousarray(array, dtype=np.float32)


def pipeline_for(config, pipeline: UserPipeline | None) -> UserPipeline | None:
    """The caller's functions this configuration uses; ConfigError when it names a function nobody gave.

    A configuration read from a file may name the caller's functions (``loader_function``,
    ``preprocess_function``): only the caller who holds them can run it again."""
    from vggcompare.core.errors import ConfigError

    for field, what, given in (("loader_function", "loader", pipeline and pipeline.loader),
                               ("preprocess_function", "preprocessing", pipeline and pipeline.preprocess)):
        name = getattr(config, field, None)
        if name and not given:
            raise ConfigError(f"this run used your own {what} function {name}, which only the Python API can call: "
                              f"pass it again (vggcompare.run(..., {'loader' if what == 'loader' else 'preprocess'}={name}))")
    return pipeline.for_config(config) if pipeline is not None else None
