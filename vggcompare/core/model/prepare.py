"""Build, load, cache and prepare models: VGG19 (ImageNet or random), the other built-in models, or a user's file.

A prepared model is built once and reused across runs. Variants (MC dropout, bfloat16) are made
from the cached base model by sharing or copying its weights, never by rebuilding VGG19 from
scratch. Users' files load with ``safe_mode=True``; nothing is unpickled.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from vggcompare.core.catalog import LITE0, lookup
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ModelError
from vggcompare.core.model import in_memory
from vggcompare.core.model.compiled import compile_forward
from vggcompare.core.model.layer_kinds import augmentation_layers, count_layers, preprocessing_layers
from vggcompare.core.model.model_forms import check_settings, h5_model_config, load_h5_with_tf_keras, load_saved_model
from vggcompare.core.model.outputs import OutputKind, decide_outputs, last_activation, probe_batch
from vggcompare.core.model.mc_dropout import DropoutKeys, adds_dropout_layers, with_dropout
from vggcompare.core.model.reinit import ensure_weights
from vggcompare.core.model.trust import check_trusted, is_saved_model
from vggcompare.core.model.user_models import check_image_classifier, load_user_model, read_labels
from vggcompare.core.model.weights import resolve_imagenet_weights

Status = Callable[[str], None]
_LOCK = threading.RLock()
_CACHE: dict[tuple, "PreparedModel"] = {}
_BASES: dict[tuple, Any] = {}
_SERVED: dict[tuple, "PreparedModel"] = {}  # the base model served by each runtime (kept apart from the Keras variants)
# Variants of the one base model kept, least recently used dropped first: a checkup uses four (the reference, training
# mode's keyed copy, bfloat16, dropout), and with three a second checkup rebuilt and retraced them in turn.
_MAX_VARIANTS = 4


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
    outputs: OutputKind | None = None  # probabilities or scores, decided once on the float32 Keras pass
    random_weights: bool = False
    layers: dict[str, int] = field(default_factory=dict)  # BatchNorm, Dropout and augmentation layers of the model
    augmentation: list[str] = field(default_factory=list)  # what each augmentation layer inside the model does
    preprocessing: list[str] = field(default_factory=list)  # what each Rescaling/Normalization layer inside it does
    served: Any = None  # core.model.runtimes.served.Served when an export's runtime makes the calls, not Keras
    serve_again: Any = None  # () -> Served: exports the model as it is now (random weights are drawn after preparing)
    _served_words: tuple | None = None
    _fingerprint: str | None = None  # the export cache's hash of the model (core.model.runtimes.export)
    _forward: dict[tuple, Any] = field(default_factory=dict)
    _reinit_buffers: dict[int, Any] = field(default_factory=dict)  # reused staging arrays for new weights

    @property
    def classes(self) -> int:
        """Number of output classes."""
        return len(self.labels)

    def forward(self, batch: np.ndarray, dropout_keys: np.ndarray | None = None, call: str = "compiled",
                training: bool | str = False) -> np.ndarray:
        """Run one forward call on a (B, H, W, 3) float32 batch; return (B, C) float32 probabilities.

        ``dropout_keys`` (B, 2) are the passes' dropout keys (ignored by a model without dropout).
        ``call`` is the path (core.model.compiled) and ``training`` the flag the model is called with, or
        one part of training mode ("batchnorm" or "dropout", see core.model.compiled).
        Each batch size is compiled once per path by the backend's own compiler (tf.function or jax.jit).
        A model served by an export's runtime makes every call through that runtime's own call instead.
        """
        if self.served is None and self.serve_again is not None:
            self.served = self.serve_again()
        if self.served is not None:
            return self.served.forward(batch)
        b = batch.shape[0]
        fn = self._forward.get((b, call, training))
        if fn is None:
            fn = self._forward[(b, call, training)] = compile_forward(self.model, self.keys, (b, *batch.shape[1:]), call, training)
        keys = dropout_keys if dropout_keys is not None else np.zeros((b, 2), np.int64)
        return fn(np.ascontiguousarray(batch, dtype=np.float32), keys)

    def hold_weights(self, seed_words: tuple[int, ...]) -> None:
        """Make the model hold the random weights drawn from ``seed_words``, drawing them only if it does not."""
        ensure_weights(self.model, seed_words, self._reinit_buffers)
        if self.serve_again is not None and self._served_words != tuple(seed_words):
            self.served, self._served_words = self.serve_again(), tuple(seed_words)  # the export holds these weights


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
    if lookup(config.model) is not None:
        return ("builtin", config.model, config.weights)
    if in_memory.is_in_memory(config.model):
        return ("memory", config.model)
    p = Path(config.model).expanduser().resolve()
    if is_saved_model(str(p)):
        p = p / "saved_model.pb"
    st = p.stat() if p.exists() else None
    return ("file", str(p), st.st_mtime_ns if st else 0, st.st_size if st else 0, config.h5_reader)


def _to_bfloat16(model: Any) -> Any:
    import keras

    from vggcompare.core.model.nested import is_model, last_operation, rebuilt

    if any(is_model(layer) for layer in model.layers):
        model = rebuilt(model)  # nested models opened, so every inner layer gets the bfloat16 policy
    last = last_operation(model)

    def clone(layer):
        cfg = layer.get_config()
        if layer is not last and "dtype" in cfg:
            cfg["dtype"] = "mixed_bfloat16"
        return layer.__class__.from_config(cfg)

    new = keras.models.clone_model(model, clone_function=clone)
    new.set_weights(model.get_weights())
    return new


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
    if config.is_custom_model:  # before the cache: a model trusted once is not trusted for the next caller
        check_trusted(config.model, config.h5_reader, config.trust_model)
        check_settings(config)
    if config.runtime != "keras":
        return _prepare_served(config, say, download_progress, allow_download, cancel)
    with _LOCK:
        weights_path = None
        if config.model == "vgg19":
            say("Finding the ImageNet weights…")
            weights_path = str(resolve_imagenet_weights(config.weights, allow_download, download_progress, cancel))
        base_key = _base_key(config, weights_path)
        keyed = config.dropout is not None or (config.training_mode and not adds_dropout_layers(config.model))
        key = (base_key, config.labels, config.dropout, config.precision, keyed, keyed and config.training_mode)
        cached = _CACHE.pop(key, None)
        if cached is not None:
            _CACHE[key] = cached  # now the most recently used
            return cached
        base = _BASES.get(base_key)
        if base is None:
            base = _load_base(config, weights_path, say, allow_download)
            _BASES.clear()  # keep one base model (VGG19 is 548 MB); variants of others are dropped too
            _CACHE.clear()
            _SERVED.clear()
            _BASES[base_key] = base
        model, size, classes, kind, description = base
        needs_softmax = kind.needs_softmax
        labels = read_labels(config.labels, classes)
        if config.precision == "bfloat16":
            say("Making a bfloat16 copy of the model…")
            model = _to_bfloat16(model)
        holder = None
        n_dropout = 0
        layers, augmentation = count_layers(model), augmentation_layers(model)  # before any layer is keyed
        preprocessing = preprocessing_layers(model)
        if keyed:  # MC dropout; or training mode, whose Dropout layers get a mask keyed per pass
            holder = DropoutKeys()
            model, n_dropout = with_dropout(model, config, holder)
            if n_dropout == 0 and not (config.training_mode and layers.get("augmentation")):
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
            outputs=kind,
            random_weights=_is_random(config.model),
            layers=layers,
            augmentation=augmentation,
            preprocessing=preprocessing,
        )
        if len(_CACHE) >= _MAX_VARIANTS:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = prepared
        return prepared


def _prepare_served(config: ExperimentConfig, say: Status, download_progress, allow_download: bool, cancel) -> PreparedModel:
    """The model served by ``config.runtime``: the prepared float32 Keras model's export, or the user's own exported file."""
    from vggcompare.core import runtime_rules
    from vggcompare.core.model.runtimes.served import serve

    settings = (config.runtime, config.tflite_xnnpack, config.tflite_threads, config.calibration, config.loader,
                config.interpolation, config.effective_preprocess, config.pitfalls if config.runtime == "tflite-int8" else ())
    with _LOCK:
        if runtime_rules.runtime_of_file(config.model):
            key = (_base_key(config, None), config.labels, settings)
            found = _SERVED.get(key)
            if found is None:
                found = _SERVED[key] = _open_own_file(config, say)
            return found
        keras_config = config.replace(runtime="keras", tflite_xnnpack=True, tflite_threads=None, calibration=None)
        prepared = prepare_model(keras_config, say, download_progress, allow_download, cancel)
        key = (id(prepared.model), config.labels, settings)
        found = _SERVED.get(key)
        # the caller's own model object (the Python API) may have been trained since: its export is looked up again
        held = in_memory.is_in_memory(config.model)
        if found is None or found.model is not prepared.model or held:
            def again():
                return serve(prepared.model, config, prepared.input_size, say, None if held else _fingerprint(prepared))

            # a model with random weights is exported once the engine has drawn them (hold_weights)
            served = None if prepared.random_weights else again()
            if len(_SERVED) >= 2 * _MAX_VARIANTS:
                _SERVED.pop(next(iter(_SERVED)))
            found = _SERVED[key] = dataclasses.replace(prepared, served=served, serve_again=again, _forward={},
                                                       _reinit_buffers={}, _served_words=None)
        return found


def _fingerprint(prepared: PreparedModel) -> str | None:
    """The model's fingerprint for the export cache, hashed once per prepared model with fixed weights
    (a checkup serves it by six runtimes); None for random weights, which the engine may draw again."""
    if prepared.random_weights:
        return None
    if prepared._fingerprint is None:
        from vggcompare.core.model.runtimes.export import model_fingerprint

        prepared._fingerprint = model_fingerprint(prepared.model)
    return prepared._fingerprint


def _open_own_file(config: ExperimentConfig, say: Status) -> PreparedModel:
    from vggcompare.core import runtime_rules
    from vggcompare.core.model.runtimes.served import open_file

    runtime = runtime_rules.runtime_of_file(config.model)
    name = os.path.basename(config.model)
    say(f"Opening {name} in the {runtime} runtime…")
    served = open_file(os.path.expanduser(config.model), runtime, config)
    shape, out = served.runner.input_shape, served.runner.output_shape
    if len(shape) != 4 or len(out) != 2 or not isinstance(shape[1], int) or not isinstance(out[1], int):
        raise ModelError(f"{name} takes {list(shape)} and gives {list(out)}: an image classifier takes (batch, height, "
                         "width, 3) and gives (batch, classes)")
    size, classes = (int(shape[1]), int(shape[2])), int(out[1])
    kind = _file_outputs(served.forward(probe_batch(size)))
    served.softmax = kind.needs_softmax
    return PreparedModel(model=None, input_size=size, labels=read_labels(config.labels, classes),
                         description=f"{name} ({runtime}, {size[0]}×{size[1]} input, {classes} classes)", served=served,
                         softmax_applied=kind.needs_softmax, outputs=kind)


# A quantized output (int8 steps of about 1/256) sums to 1 only roughly; scores are rarely all within [0, 1] and near 1
QUANTIZED_SUM_TOLERANCE = 0.05


def _file_outputs(values: np.ndarray) -> OutputKind:
    """Probabilities or scores, for a user's exported file: its numbers alone decide (its graph is not Keras')."""
    from vggcompare.core.model.outputs import in_unit_interval, rows_are_probabilities

    near_one = bool(np.all(np.abs(np.asarray(values, np.float64).sum(axis=-1) - 1.0) <= QUANTIZED_SUM_TOLERANCE))
    return OutputKind(rows_are_probabilities(values) or (in_unit_interval(values) and near_one))


def _is_random(model: str) -> bool:
    found = lookup(model)
    return bool(found and found[1])


def _load_base(config: ExperimentConfig, weights_path: str | None, say: Status, allow_download: bool = True) -> tuple:
    t0 = time.perf_counter()
    if config.model == "vgg19":
        say("Loading VGG19 with ImageNet weights…")
        model = _build_vgg19(weights_path)
        desc = f"VGG19, ImageNet weights ({Path(weights_path).name})"
        size, classes, kind = (224, 224), 1000, OutputKind(True, "softmax")
    elif config.model == "vgg19-random":
        say("Building VGG19 with random weights…")
        model = _build_vgg19(None)
        desc = "VGG19, random weights (Glorot uniform)"
        size, classes, kind = (224, 224), 1000, OutputKind(True, "softmax")
    elif config.model == LITE0:
        from vggcompare.core.model.lite0 import DESCRIPTION, efficientnet_lite0

        say("Loading EfficientNet-Lite0 (ImageNet weights, no download)…")
        model, _mode = efficientnet_lite0(status=say)
        desc, size, classes, kind = DESCRIPTION, (224, 224), 1000, OutputKind(True, "softmax")
    elif lookup(config.model) is not None:
        from vggcompare.core.model.applications import build_application

        entry, random = lookup(config.model)
        model = build_application(entry, random, config.weights, allow_download, say)
        if random:
            desc = f"{entry.constructor}, random weights (Keras' initialisers)"
        elif config.weights:
            desc = f"{entry.constructor}, ImageNet weights ({Path(config.weights).name})"
        else:
            desc = f"{entry.constructor}, ImageNet weights ({entry.weights_file})"
        size, classes, needs_softmax = check_image_classifier(model, entry.constructor)
        kind = OutputKind(not needs_softmax, last_activation(model))
    elif in_memory.is_in_memory(config.model):
        model = in_memory.held_model(config.model)
        name = in_memory.display(config.model)
        size, classes, _structure = check_image_classifier(model, name)
        kind = decide_outputs(model, size)  # the structure and the float32 pass's numbers
        desc = f"{name} (in memory, {size[0]}×{size[1]} input, {classes} classes)"
    else:
        name = os.path.basename(os.path.normpath(config.model))
        form = ""
        if is_saved_model(config.model):
            say(f"Loading the SavedModel {name} (you trust it)…")
            model, signature = load_saved_model(config.model)
            form = f"SavedModel, signature {signature.name}, "
        elif config.h5_reader == "tf-keras":
            say(f"Reading {name} with tf_keras (Keras 2; you trust it)…")
            model = load_h5_with_tf_keras(config.model)
            form = f"read by tf_keras {_tf_keras_version()}, "
        else:
            say(f"Loading {name} (safe mode)…")
            model = load_user_model(config.model)
            form = "Keras 2 .h5 read by Keras 3, " if _written_by_keras2(config.model) else ""
        size, classes, _structure = check_image_classifier(model, name)
        kind = decide_outputs(model, size)  # the structure and the float32 pass's numbers
        desc = f"{name} ({form}{size[0]}×{size[1]} input, {classes} classes)"
    say(f"Model ready in {time.perf_counter() - t0:.1f} s.")
    return model, size, classes, kind, desc


def _tf_keras_version() -> str:
    import tf_keras

    return tf_keras.__version__


def _written_by_keras2(path: str) -> bool:
    """True for an .h5 file whose attributes say Keras 2 (tf.keras) wrote it."""
    if not path.lower().endswith((".h5", ".hdf5")):
        return False
    try:
        return h5_model_config(path)[1].startswith("2.")
    except ModelError:
        return False


def clear_cache() -> None:
    """Forget every cached model (tests use this to start clean)."""
    with _LOCK:
        _CACHE.clear()
        _BASES.clear()
        _SERVED.clear()

