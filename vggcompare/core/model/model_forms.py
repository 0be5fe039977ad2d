"""The forms a user's model comes in besides a .keras file: a SavedModel folder and a Keras 2 .h5 file.

A SavedModel folder is read with ``keras.layers.TFSMLayer`` (TensorFlow backend only) through its serving
signature: ``serve`` (a Keras export), else ``serving_default`` (TF Serving), else its only one. The signature and
its input shape are read from saved_model.pb as data, before anything of the model is loaded. A Keras 2 .h5 file
is read by Keras 3 (safe mode) or, when asked and installed, by ``tf_keras``; tf_keras ignores ``safe_mode``, so
the file's model configuration is read from its HDF5 attributes first and a Lambda layer is refused before it.
Both SavedModels and tf_keras' reading run only when trusted (core.model.trust).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vggcompare.core.errors import ModelError

ENDPOINTS = ("serve", "serving_default")  # a Keras export's endpoint, then TF Serving's usual signature


@dataclass(frozen=True)
class Signature:
    """A SavedModel's serving signature: its name and its image input's shape (batch first, None unknown)."""

    name: str
    input_shape: tuple[int | None, ...]


def saved_model_signature(path: str) -> Signature:
    """Find the serving signature of the SavedModel folder ``path`` by reading saved_model.pb as data."""
    from tensorflow.core.protobuf import saved_model_pb2

    p = Path(path).expanduser()
    saved = saved_model_pb2.SavedModel()
    try:
        saved.ParseFromString((p / "saved_model.pb").read_bytes())
    except (OSError, Exception) as exc:  # protobuf's DecodeError, or an unreadable file
        raise ModelError(f"{p.name} is not a readable SavedModel ({type(exc).__name__})") from None
    signatures = {}
    for graph in saved.meta_graphs:
        signatures.update({k: v for k, v in graph.signature_def.items() if not k.startswith("__")})
    name = next((n for n in ENDPOINTS if n in signatures), None)
    if name is None and len(signatures) == 1:
        name = next(iter(signatures))
    if name is None:
        found = ", ".join(sorted(signatures)) or "none"
        raise ModelError(f"{p.name} has no serving signature named serve or serving_default (it has: {found})")
    inputs = signatures[name].inputs
    if len(inputs) != 1:
        raise ModelError(f"{p.name}'s signature {name} takes {len(inputs)} inputs, not one image batch")
    (tensor,) = inputs.values()
    shape = tuple(None if d.size < 0 else int(d.size) for d in tensor.tensor_shape.dim)
    return Signature(name, shape)


def load_saved_model(path: str) -> tuple[Any, Signature]:
    """A Keras model that calls the SavedModel folder's serving signature (TFSMLayer); the signature it uses."""
    import keras

    p = Path(path).expanduser()
    if keras.backend.backend() != "tensorflow":
        raise ModelError(f"{p.name} is a SavedModel folder, which runs under the TensorFlow backend only")
    signature = saved_model_signature(str(p))
    if len(signature.input_shape) != 4 or signature.input_shape[-1] != 3:
        shown = "×".join("?" if d is None else str(d) for d in signature.input_shape)
        raise ModelError(f"{p.name}'s signature {signature.name} takes input of shape {shown}, not an RGB image "
                         "(batch × height × width × 3)")
    try:
        layer = keras.layers.TFSMLayer(str(p), call_endpoint=signature.name)
        inputs = keras.Input(signature.input_shape[1:], dtype="float32")
        out = layer(inputs)
    except Exception as exc:  # TensorFlow raises many types; the message decides
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise ModelError(f"{p.name} could not be loaded as a SavedModel ({first})") from None
    if isinstance(out, dict):
        if len(out) != 1:
            raise ModelError(f"{p.name}'s signature {signature.name} has {len(out)} outputs, not one class vector")
        (out,) = out.values()
    return keras.Model(inputs, out, name=p.name.replace(" ", "_") or "saved_model"), signature


def h5_model_config(path: str) -> tuple[dict | None, str]:
    """The .h5 file's model configuration (from its HDF5 attributes) and the Keras version that wrote it."""
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            raw = handle.attrs.get("model_config")
            version = handle.attrs.get("keras_version", "")
    except OSError as exc:
        raise ModelError(f"{Path(path).name} cannot be read as an HDF5 file ({exc})") from None
    version = version.decode() if isinstance(version, bytes) else str(version)
    if raw is None:
        return None, version
    try:
        return json.loads(raw.decode() if isinstance(raw, bytes) else raw), version
    except ValueError:
        raise ModelError(f"{Path(path).name}'s model configuration is not valid JSON") from None


def _class_names(node: Any) -> set[str]:
    """Every ``class_name`` in a model configuration, nested models included."""
    names: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("class_name"), str):
            names.add(node["class_name"])
        for value in node.values():
            names |= _class_names(value)
    elif isinstance(node, list):
        for value in node:
            names |= _class_names(value)
    return names


def tf_keras_available() -> bool:
    """True when tf_keras (Keras 2) is installed (the optional extra ``keras2``)."""
    import importlib.util

    return importlib.util.find_spec("tf_keras") is not None


def load_h5_with_tf_keras(path: str) -> Any:
    """Read an .h5 file with tf_keras (Keras 2), refusing a Lambda layer before tf_keras sees the file."""
    name = Path(path).name
    if not tf_keras_available():
        raise ModelError(f"{name} cannot be read by tf_keras (Keras 2): it is not installed "
                         "(pip install 'vggcompare[keras2]')")
    config, _version = h5_model_config(path)
    if config is None:
        raise ModelError(f"{name} holds weights only, no model configuration: tf_keras cannot build a model from it")
    if "Lambda" in _class_names(config):
        raise ModelError(f"{name} contains a Lambda layer (Python code), which is refused: tf_keras reads .h5 files "
                         "without a safe mode")
    import tf_keras

    try:
        # safe_mode=True is honoured for .keras files only; for .h5 the Lambda refusal above stands in for it
        return tf_keras.models.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # tf_keras raises many types; the message decides
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise ModelError(f"{name} could not be read by tf_keras (Keras 2) ({first})") from None


def layer_free_form(model: str, h5_reader: str = "keras") -> str:
    """'a SavedModel folder' or 'an .h5 file read by tf_keras': forms whose layers this program cannot switch; else ''."""
    from vggcompare.core.model.trust import is_saved_model

    if is_saved_model(model):
        return "a SavedModel folder"
    if h5_reader == "tf-keras":
        return "an .h5 file read by tf_keras (Keras 2)"
    return ""


def not_applicable(model: str, h5_reader: str = "keras") -> dict[str, str]:
    """The settings that need Keras 3 layers, each with the one sentence saying why it does not apply to this form."""
    form = layer_free_form(model, h5_reader)
    if not form:
        return {}
    saved_model = form.startswith("a SavedModel")
    runs = ("it runs its serving signature as one TensorFlow program" if saved_model
            else "its layers are Keras 2 layers, which this program calls but does not switch one by one")
    backend = {"jax backend": f"the JAX backend does not apply to {form}: {runs}, which runs under the TensorFlow "
                              "backend only"} if saved_model else {}
    return {**backend,
        "training mode": f"training mode does not apply to {form}: {runs}, with no BatchNorm, Dropout or augmentation "
                         "layer to switch",
        "dropout": f"dropout at inference does not apply to {form}: {runs}, with no Dropout layer to key",
        "bfloat16": f"a bfloat16 copy does not apply to {form}: {runs}, with no layers to give the bfloat16 policy",
        "gradcam": f"Grad-CAM does not apply to {form}: {runs}, with no convolutional layer to split at; occlusion "
                   "works (--explain occlusion)",
        "layer view": f"the layer-by-layer view does not apply to {form}: {runs}, with no layer outputs to read",
    }


def settings_reason(config: Any) -> str:
    """Why a setting of ``config`` that needs Keras 3 layers does not apply to its model's form; '' when none."""
    reasons = not_applicable(config.model, getattr(config, "h5_reader", "keras"))
    if not reasons:
        return ""
    asked = [("training mode", config.training_mode), ("dropout", config.dropout is not None),
             ("bfloat16", config.precision == "bfloat16"), ("gradcam", config.explain == "gradcam"),
             ("jax backend", getattr(config, "backend", "tensorflow") == "jax")]
    return next((reasons[key] for key, on in asked if on and key in reasons), "")


def check_settings(config: Any) -> None:
    """Refuse, in one sentence, a setting that needs Keras 3 layers on a SavedModel or a tf_keras-read .h5 file."""
    reason = settings_reason(config)
    if reason:
        raise ModelError(reason)
