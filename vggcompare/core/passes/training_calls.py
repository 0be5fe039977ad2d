"""Earlier training-mode calls: the user's code called the model with ``training=True`` before predicting.

Keras 3 updates every BatchNorm layer's moving mean and variance on each call with ``training=True``
(``moving = momentum · moving + (1 − momentum) · batch``), and later inference uses the moved statistics.
:func:`call_before` makes K such calls on the run's first batch and keeps what they did, as Keras does;
the run then makes its passes as usual, and :func:`put_back` restores the statistics afterwards, so the
cached model is unchanged for the next run. (The tool's own training-mode runs restore the statistics after
every call instead: core.model.compiled.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class HeldStatistics:
    """The moving statistics as they were before the calls (to put back), and the sentence on how far they moved."""

    saved: list[np.ndarray]
    variables: list[Any]
    note: str
    moves: list[tuple[str, float, float]]  # (BatchNorm layer, relative move of the mean, of the variance)


def batchnorm_layers(model: Any) -> list[Any]:
    """The model's BatchNorm layers, nested models included, in order."""
    return [layer for layer in model._flatten_layers(include_self=False, recursive=True)
            if "BatchNormalization" in type(layer).__name__]


def call_before(prepared: Any, batch: np.ndarray, keys: np.ndarray | None, count: int) -> HeldStatistics:
    """Call the model ``count`` times with ``training=True`` on ``batch``, keeping the updated moving statistics.

    Returns what is needed to put them back, and a note naming the BatchNorm layers and how far they moved."""
    import keras

    model = prepared.model
    variables = list(model.non_trainable_variables)
    saved = [np.array(keras.ops.convert_to_numpy(v.value)) for v in variables]
    norms = batchnorm_layers(model)
    before = {id(layer): (np.array(keras.ops.convert_to_numpy(layer.moving_mean.value), dtype=np.float64),
                          np.array(keras.ops.convert_to_numpy(layer.moving_variance.value), dtype=np.float64)) for layer in norms}
    x = keras.ops.convert_to_tensor(np.ascontiguousarray(batch, dtype=np.float32))
    if prepared.keys is not None:
        from vggcompare.core.model.mc_dropout import DropoutKeys

        words = keys if keys is not None else np.zeros((batch.shape[0], 2), np.int64)
        prepared.keys.current = keras.ops.convert_to_tensor(DropoutKeys.as_backend_keys(words, keras.backend.backend()))
    for _ in range(count):
        model(x, training=True)  # as the user's code does: eager, the moving statistics updated in place
    moves = []
    for layer in norms:
        mean0, var0 = before[id(layer)]
        mean1 = np.asarray(keras.ops.convert_to_numpy(layer.moving_mean.value), dtype=np.float64)
        var1 = np.asarray(keras.ops.convert_to_numpy(layer.moving_variance.value), dtype=np.float64)
        moves.append((layer.name, _relative(mean1 - mean0, mean0), _relative(var1 - var0, var0)))
    return HeldStatistics(saved, variables, moved_note(count, batch.shape[0], moves), moves)


def _relative(change: np.ndarray, base: np.ndarray) -> float:
    norm = float(np.linalg.norm(base))
    return float(np.linalg.norm(change)) / norm if norm > 0 else float(np.linalg.norm(change))


def moved_note(count: int, rows: int, moves: list[tuple[str, float, float]]) -> str:
    """One sentence: the K calls, which BatchNorm layers moved and by how much (relative L2 of mean and variance)."""
    calls = f"{count} call{'s' * (count > 1)} with training=True on {'the image' if rows == 1 else f'a batch of {rows}'}"
    if not moves:
        return f"{calls[0].upper()}{calls[1:]} before the passes changed nothing: the model has no BatchNorm layer."
    by_mean = sorted(moves, key=lambda m: -m[1])[:3]
    by_var = max(moves, key=lambda m: m[2])
    named = ", ".join(f"{name} {mean:.2%}" for name, mean, _ in by_mean)
    return (f"{calls[0].upper()}{calls[1:]} before the passes updated the moving statistics of {len(moves)} BatchNorm "
            f"layer(s) ({moves[0][0]} … {moves[-1][0]}), as Keras 3 does on every such call: their moving means moved by up "
            f"to {by_mean[0][1]:.2%} of their size ({named}), their moving variances by up to {by_var[2]:.2%} ({by_var[0]}). "
            f"The passes ran with the moved statistics; they were put back afterwards.")


def put_back(held: HeldStatistics | None) -> None:
    """Restore the moving statistics saved by :func:`call_before` (nothing when ``held`` is None)."""
    if held is None:
        return
    for variable, value in zip(held.variables, held.saved):
        variable.assign(value)
