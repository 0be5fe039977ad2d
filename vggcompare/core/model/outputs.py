"""Probabilities or scores: decided once from what the model computes, its real last operation and its numbers.

The last operation is found by walking into nested models at any depth (core.model.nested): a softmax, a sigmoid
(a multi-label head), or neither. The float32 Keras pass on a fixed probe batch then says whether the outputs are
probabilities (non-negative, each row summing to 1 within float32 tolerance). When both agree the answer is plain;
when they disagree the numbers decide and one sentence says so. A softmax is applied only to scores, never to
probabilities. Runs of the same model in bfloat16 or an exported runtime reuse this decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

SUM_TOLERANCE = 1e-4  # float32 sums of 1000 probabilities are within about 1e-6 of 1; scores miss by far more


@dataclass(frozen=True)
class OutputKind:
    """What the model outputs: ``probabilities`` (else scores, to which one softmax is applied).

    ``last`` is the real last operation's activation ("softmax", "sigmoid" or "" for neither); ``note`` is one
    sentence when the structure and the numbers disagree, else empty."""

    probabilities: bool
    last: str = ""
    note: str = ""

    @property
    def needs_softmax(self) -> bool:
        """True when the outputs are scores and a softmax is applied once to make them probabilities."""
        return not self.probabilities

    def describe(self) -> str:
        """Words for the run's record: 'probabilities (softmax)', 'scores (a softmax applied once)', …"""
        if not self.probabilities:
            return "scores (a softmax applied once)"
        return f"probabilities ({self.last})" if self.last else "probabilities"


def last_activation(model: Any) -> str:
    """'softmax', 'sigmoid' or '': the activation of the operation that computes the output, nested models opened;
    'unseen' for a SavedModel, whose graph is one TensorFlow program."""
    from vggcompare.core.model.nested import last_operation

    operation = last_operation(model)
    if type(operation).__name__ == "TFSMLayer":
        return "unseen"  # a SavedModel's graph: only its numbers say what it outputs
    kind = type(operation).__name__.lower()
    if kind in ("softmax", "sigmoid"):  # a Softmax layer, or keras.ops.softmax / sigmoid in a functional graph
        return kind
    activation = getattr(operation, "activation", None)
    name = getattr(activation, "__name__", "") if activation is not None else ""
    return name if name in ("softmax", "sigmoid") else ""


def rows_are_probabilities(outputs: np.ndarray) -> bool:
    """True when every value is non-negative and every row sums to 1 within float32 tolerance."""
    values = np.asarray(outputs, dtype=np.float64)
    return bool(np.all(np.isfinite(values)) and values.min() >= 0.0
                and np.all(np.abs(values.sum(axis=-1) - 1.0) <= SUM_TOLERANCE))


def in_unit_interval(outputs: np.ndarray) -> bool:
    """True when every value lies in [0, 1] (independent probabilities, as a sigmoid head gives)."""
    values = np.asarray(outputs, dtype=np.float64)
    return bool(np.all(np.isfinite(values)) and values.min() >= 0.0 and values.max() <= 1.0)


def probe_batch(size: tuple[int, int], rows: int = 2) -> np.ndarray:
    """A fixed batch of pixel-range images (uniform 0..255, seed 0) for the float32 probe pass."""
    return np.random.default_rng(0).uniform(0.0, 255.0, (rows, *size, 3)).astype(np.float32)


def _inference_outputs(model: Any, size: tuple[int, int]) -> np.ndarray:
    """The model's outputs on :func:`probe_batch` at inference; ModelError, one sentence, when it cannot be called."""
    import keras

    from vggcompare.core.errors import ModelError
    from vggcompare.core.model.layer_kinds import uncropped_at_inference

    try:
        return keras.ops.convert_to_numpy(model(probe_batch(size), training=False))
    except Exception as exc:  # Keras and TensorFlow raise many types; the message decides
        crops = uncropped_at_inference(model)
        if crops:
            raise ModelError(
                f"the model cannot be called at inference: its RandomCrop({crops[0].height}, {crops[0].width}) passes the {size[0]}×{size[1]} "
                f"image through uncropped when training=False in Keras {keras.__version__} (keras-team/keras#21868), so "
                "the layers after it get another shape than the crop they were built for; put a keras.layers.CenterCrop "
                "of the same size after it, or crop the images before the model") from None
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise ModelError(f"the model cannot be called on a {size[0]}×{size[1]} image at inference ({first})") from None


def decide_outputs(model: Any, size: tuple[int, int], outputs: np.ndarray | None = None) -> OutputKind:
    """Decide once whether ``model`` (float32) outputs probabilities or scores, from its last operation and numbers.

    ``outputs``: the float32 Keras pass's outputs, when already computed; else the model is called on
    :func:`probe_batch` with ``training=False``."""
    last = last_activation(model)
    if outputs is None:
        outputs = _inference_outputs(model, size)
    summing = rows_are_probabilities(outputs)
    if last == "softmax":
        if summing:
            return OutputKind(True, last)
        return OutputKind(False, last, "Note: the model ends in a softmax, but its float32 outputs are not probabilities "
                                       "(negative, or rows not summing to 1), so they were taken as scores and a softmax "
                                       "was applied.")
    if last == "sigmoid":
        if in_unit_interval(outputs):
            return OutputKind(True, last)
        return OutputKind(False, last, "Note: the model ends in a sigmoid, but its float32 outputs leave [0, 1], so they "
                                       "were taken as scores and a softmax was applied.")
    if last == "unseen":
        if summing:
            return OutputKind(True, "")
        return OutputKind(False, "", "Note: the SavedModel's last operation cannot be seen, and its float32 outputs are "
                                     "not probabilities (negative, or rows not summing to 1), so they were taken as "
                                     "scores and a softmax was applied.")
    if summing:
        return OutputKind(True, "", "Note: the model's last operation is not a softmax, but its float32 outputs are "
                                    "non-negative and sum to 1, so they were taken as probabilities (no softmax applied).")
    return OutputKind(False, "")
