"""Build, load, cache and prepare models: VGG19 (ImageNet or random) and users' own files.

A prepared model is built once and reused across runs. Variants (MC dropout, bfloat16) are made
from the cached base model by sharing or copying its weights, never by rebuilding VGG19 from
scratch. Users' files load with ``safe_mode=True``; nothing is unpickled.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import LabelsError, ModelError, WeightsUnavailableError
from vggcompare.core.resources import imagenet_labels
from vggcompare.core.weights import resolve_imagenet_weights

Status = Callable[[str], None]
_LOCK = threading.RLock()
_CACHE: dict[tuple, "PreparedModel"] = {}
_BASES: dict[tuple, Any] = {}
_MAX_VARIANTS = 3


@dataclass
class PreparedModel:
    """A model ready for passes, with everything the engine needs to drive it."""

    model: Any
    input_size: tuple[int, int]  # (height, width)
    labels: list[str]
    description: str
    dropout_layers: int = 0
    keys: Any = None  # DropoutKeys when dropout layers are active
    softmax_applied: bool = False
    random_weights: bool = False
    weights_key: tuple | None = None  # which seed the random weights were drawn from
    _forward: dict[int, Any] = field(default_factory=dict)
    _reinit_buffers: dict[int, Any] = field(default_factory=dict)  # reused staging arrays for new weights

    @property
    def classes(self) -> int:
        """Number of output classes."""
        return len(self.labels)

    def forward(self, batch: np.ndarray, dropout_keys: np.ndarray | None = None) -> np.ndarray:
        """Run one forward call on a (B, H, W, 3) float32 batch; return (B, C) float32 probabilities."""
        import tensorflow as tf

        b = batch.shape[0]
        fn = self._forward.get(b)
        if fn is None:
            model = self.model
            spec = tf.TensorSpec((b, *batch.shape[1:]), tf.float32)
            fn = tf.function(lambda x: model(x, training=False), input_signature=[spec])
            self._forward[b] = fn
        if self.keys is not None:
            self.keys.set(dropout_keys if dropout_keys is not None else np.zeros((b, 2), np.int64))
        out = fn(tf.constant(batch, dtype=tf.float32))
        return np.asarray(out.numpy(), dtype=np.float32)

    def reinitialise(self, seed_words: tuple[int, ...]) -> None:
        """Draw new random weights in place from a seed (each variable gets its own stream)."""
        reinitialise_in_place(self.model, seed_words, self._reinit_buffers)
        self.weights_key = tuple(seed_words)


def _dropout_layer_class():
    import keras
    import tensorflow as tf

    class PassDropout(keras.layers.Layer):
        """Dropout that is always on, with a mask drawn per sample from that sample's key.

        The mask of pass i depends only on pass i's key, not on the batch it shares.
        """

        def __init__(self, rate: float, holder: "DropoutKeys", salt: int, **kwargs):
            super().__init__(**kwargs)
            self.rate = float(rate)
            self._holder = [holder]  # a list, so Keras does not try to track it
            self.salt = int(salt)

        def call(self, x):
            keys = self._holder[0].variable
            shape = tf.shape(x)[1:]
            salt = tf.constant([0, self.salt], dtype=tf.int64)

            def one(key):
                return tf.random.stateless_uniform(shape, seed=key + salt, dtype=tf.float32)

            u = tf.map_fn(one, keys[: tf.shape(x)[0]], fn_output_signature=tf.float32)
            keep = tf.cast(u >= self.rate, x.dtype)
            return x * keep / tf.cast(1.0 - self.rate, x.dtype)

        def compute_output_shape(self, input_shape):
            return input_shape

    return PassDropout


class DropoutKeys:
    """The per-sample dropout keys of the current forward call, shared by all PassDropout layers."""

    def __init__(self) -> None:
        import tensorflow as tf

        self.variable = tf.Variable(tf.zeros((1, 2), tf.int64), shape=tf.TensorShape([None, 2]), trainable=False)

    def set(self, keys: np.ndarray) -> None:
        """Set the keys for the next forward call: one (2,) int64 key per sample."""
        self.variable.assign(np.asarray(keys, dtype=np.int64))


def reinitialise_in_place(model: Any, seed_words: tuple[int, ...], buffers: dict | None = None) -> None:
    """Re-draw every kernel and bias from ``seed_words`` (see vggcompare.core.reinit)."""
    from vggcompare.core.reinit import reinitialise

    reinitialise(model, seed_words, {} if buffers is None else buffers)


def _describe_shape(shape: Any) -> str:
    return "×".join("?" if d is None else str(d) for d in shape)


def load_user_model(path: str) -> Any:
    """Load a user's .keras or .h5 model with safe_mode=True, or raise ModelError saying why."""
    import keras

    p = Path(path).expanduser()
    if not p.is_file():
        raise ModelError(f"the model file {p} does not exist")
    if p.suffix.lower() not in (".keras", ".h5", ".hdf5"):
        raise ModelError(f"{p.name} is not a Keras model file; choose a .keras or .h5 file")
    try:
        with open(p, "rb") as handle:
            magic = handle.read(8)
    except OSError as exc:
        raise ModelError(f"the model file {p} cannot be read ({exc.strerror or exc})") from None
    if not (magic.startswith(b"PK\x03\x04") or magic.startswith(b"\x89HDF\r\n\x1a\n")):
        raise ModelError(f"{p.name} is damaged or not a Keras model (neither a .keras zip nor an HDF5 file)")
    try:
        return keras.saving.load_model(str(p), compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types; the message decides
        text = str(exc)
        if "safe_mode" in text or "Lambda" in text or "lambda" in text:
            raise ModelError(
                f"{p.name} contains a Lambda layer or other Python code, which is refused: "
                "untrusted models are loaded in safe mode"
            ) from None
        if "Unknown layer" in text or "Could not locate class" in text or "custom" in text.lower():
            first = text.strip().splitlines()[0][:160]
            raise ModelError(f"{p.name} uses a custom layer this program does not know ({first})") from None
        first = text.strip().splitlines()[0][:160] if text.strip() else type(exc).__name__
        raise ModelError(f"{p.name} could not be loaded as a Keras model ({first})") from None


def check_image_classifier(model: Any, name: str) -> tuple[tuple[int, int], int, bool]:
    """Check the model takes RGB images and outputs a class vector; return (size, classes, needs_softmax)."""
    import keras

    inputs = getattr(model, "inputs", None) or []
    outputs = getattr(model, "outputs", None) or []
    if len(inputs) != 1 or len(outputs) != 1:
        raise ModelError(f"{name} must have exactly one input and one output")
    in_shape = tuple(inputs[0].shape)
    if len(in_shape) != 4 or in_shape[-1] != 3:
        raise ModelError(
            f"{name} takes input of shape {_describe_shape(in_shape)}, not an RGB image (batch × height × width × 3)"
        )
    h, w = in_shape[1], in_shape[2]
    if h is None or w is None:
        raise ModelError(f"{name} does not fix its input height and width, so the image size cannot be inferred")
    out_shape = tuple(outputs[0].shape)
    if len(out_shape) != 2 or out_shape[-1] is None or out_shape[-1] < 2:
        raise ModelError(f"{name} outputs shape {_describe_shape(out_shape)}, not a vector of class scores")
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    is_probability = isinstance(last, keras.layers.Softmax) or activation in (keras.activations.softmax, keras.activations.sigmoid)
    return (int(h), int(w)), int(out_shape[-1]), not is_probability


def read_labels(path: str | None, classes: int) -> list[str]:
    """Read a labels file (one name per line, or a JSON list); its length must match ``classes``."""
    if path is None:
        if classes == 1000:
            return list(imagenet_labels())
        return [f"class {i}" for i in range(classes)]
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelsError(f"the labels file {p} cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    names: list[str]
    if text.lstrip().startswith("["):
        import json

        try:
            names = [str(x) for x in json.loads(text)]
        except ValueError:
            raise LabelsError(f"the labels file {p.name} looks like JSON but is not valid") from None
    else:
        names = [line.strip() for line in text.splitlines()]
        while names and not names[-1]:
            names.pop()
    if len(names) != classes:
        raise LabelsError(f"the labels file {p.name} has {len(names)} names but the model has {classes} classes")
    return names


def _build_vgg19(weights: str | None) -> Any:
    import keras

    try:
        return keras.applications.VGG19(weights=weights, include_top=True)
    except (ValueError, OSError, KeyError, TypeError) as exc:
        if weights is None:
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise ModelError(
            f"{Path(weights).name} does not hold VGG19 weights with the classifier top ({first})"
        ) from None


def _base_key(config: ExperimentConfig, weights_path: str | None) -> tuple:
    if config.model == "vgg19":
        return ("vgg19", weights_path)
    if config.model == "vgg19-random":
        return ("vgg19-random",)
    p = Path(config.model).expanduser().resolve()
    st = p.stat() if p.exists() else None
    return ("file", str(p), st.st_mtime_ns if st else 0, st.st_size if st else 0)


def _to_bfloat16(model: Any) -> Any:
    import keras

    last = model.layers[-1]

    def clone(layer):
        cfg = layer.get_config()
        if layer is not last and "dtype" in cfg:
            cfg["dtype"] = "mixed_bfloat16"
        return layer.__class__.from_config(cfg)

    new = keras.models.clone_model(model, clone_function=clone)
    new.set_weights(model.get_weights())
    return new


def _with_dropout(model: Any, config: ExperimentConfig, holder: DropoutKeys) -> tuple[Any, int]:
    """Return a model whose dropout runs at inference, sharing weights with ``model``."""
    import keras

    pass_dropout = _dropout_layer_class()
    if config.model in ("vgg19", "vgg19-random"):
        x = model.get_layer("flatten").output
        x = model.get_layer("fc1")(x)
        x = pass_dropout(config.dropout, holder, 1, name="mc_dropout_1")(x)
        x = model.get_layer("fc2")(x)
        x = pass_dropout(config.dropout, holder, 2, name="mc_dropout_2")(x)
        return keras.Model(model.inputs, model.get_layer("predictions")(x), name="vgg19_mc_dropout"), 2
    found = [layer for layer in model.layers if type(layer) is keras.layers.Dropout]
    if not found:
        return model, 0
    counter = iter(range(1, len(found) + 1))

    def clone(layer):
        if type(layer) is keras.layers.Dropout:
            return pass_dropout(layer.rate, holder, next(counter), name=f"mc_{layer.name}")
        return layer

    return keras.models.clone_model(model, clone_function=clone), len(found)


def prepare_model(
    config: ExperimentConfig,
    status: Status | None = None,
    download_progress: Callable[[int, int], None] | None = None,
    allow_download: bool = True,
    cancel: Callable[[], bool] | None = None,
) -> PreparedModel:
    """Return the cached model for this configuration, building or loading it only when needed.

    Raises
    ------
    WeightsUnavailableError
        ImageNet weights are not cached and cannot be downloaded now.
    ModelError, LabelsError
        The model or labels file cannot be used, with a sentence saying why.
    """
    say = status or (lambda _msg: None)
    with _LOCK:
        weights_path = None
        if config.model == "vgg19":
            say("Finding the ImageNet weights…")
            weights_path = str(resolve_imagenet_weights(config.weights, allow_download, download_progress, cancel))
        base_key = _base_key(config, weights_path)
        key = (base_key, config.labels, config.dropout, config.precision)
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        base = _BASES.get(base_key)
        if base is None:
            base = _load_base(config, weights_path, say)
            _BASES.clear()  # keep one base model (VGG19 is 548 MB); variants of others are dropped too
            _CACHE.clear()
            _BASES[base_key] = base
        model, size, classes, needs_softmax, description = base
        labels = read_labels(config.labels, classes)
        if config.precision == "bfloat16":
            say("Making a bfloat16 copy of the model…")
            model = _to_bfloat16(model)
        holder = None
        n_dropout = 0
        if config.dropout is not None:
            holder = DropoutKeys()
            model, n_dropout = _with_dropout(model, config, holder)
            if n_dropout == 0:
                holder = None
        if needs_softmax:
            import keras

            model = keras.Model(model.inputs, keras.layers.Softmax(dtype="float32")(model.outputs[0]))
        prepared = PreparedModel(
            model=model,
            input_size=size,
            labels=labels,
            description=description,
            dropout_layers=n_dropout,
            keys=holder,
            softmax_applied=needs_softmax,
            random_weights=config.model == "vgg19-random",
        )
        if len(_CACHE) >= _MAX_VARIANTS:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = prepared
        return prepared


def _load_base(config: ExperimentConfig, weights_path: str | None, say: Status) -> tuple:
    t0 = time.perf_counter()
    if config.model == "vgg19":
        say("Loading VGG19 with ImageNet weights…")
        model = _build_vgg19(weights_path)
        desc = f"VGG19, ImageNet weights ({Path(weights_path).name})"
        size, classes, needs_softmax = (224, 224), 1000, False
    elif config.model == "vgg19-random":
        say("Building VGG19 with random weights…")
        model = _build_vgg19(None)
        desc = "VGG19, random weights (Glorot uniform)"
        size, classes, needs_softmax = (224, 224), 1000, False
    else:
        name = os.path.basename(config.model)
        say(f"Loading {name} (safe mode)…")
        model = load_user_model(config.model)
        size, classes, needs_softmax = check_image_classifier(model, name)
        desc = f"{name} ({size[0]}×{size[1]} input, {classes} classes)"
    say(f"Model ready in {time.perf_counter() - t0:.1f} s.")
    return model, size, classes, needs_softmax, desc


def clear_cache() -> None:
    """Forget every cached model (tests use this to start clean)."""
    with _LOCK:
        _CACHE.clear()
        _BASES.clear()


__all__ = [
    "PreparedModel",
    "prepare_model",
    "clear_cache",
    "read_labels",
    "load_user_model",
    "check_image_classifier",
    "reinitialise_in_place",
    "WeightsUnavailableError",
]
