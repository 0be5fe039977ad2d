"""Users' own model files and labels: loaded in safe mode and checked to be image classifiers.

Nothing is unpickled: ``.keras`` and ``.h5`` files load with ``safe_mode=True``, and a Lambda
layer or unknown custom layer is refused with a sentence saying why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vggcompare.core.errors import LabelsError, ModelError
from vggcompare.core.model.outputs import last_activation
from vggcompare.core.resources import imagenet_labels


def _describe_shape(shape: Any) -> str:
    return "×".join("?" if d is None else str(d) for d in shape)


def load_user_model(path: str) -> Any:
    """Load a user's .keras or .h5 model with safe_mode=True, or raise ModelError saying why."""
    import keras

    p = Path(path).expanduser()
    if p.is_dir():
        raise ModelError(f"{p.name} is a folder but not a SavedModel (it holds no saved_model.pb)")
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
    """Check the model takes RGB images and outputs a class vector; return (size, classes, needs_softmax).

    ``needs_softmax`` is read from the structure alone (the real last operation, nested models opened); a user's
    file is decided from its numbers too (core.model.outputs.decide_outputs)."""

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
    return (int(h), int(w)), int(out_shape[-1]), not last_activation(model)


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

