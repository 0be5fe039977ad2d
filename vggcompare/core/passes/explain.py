"""Explaining a run's passes, in the engine process: Grad-CAM or occlusion maps of the first K passes.

The engine keeps the first K passes' inputs and dropout keys as it runs them (:class:`KeptPasses`);
once every pass is done, the class is known (the top-1 of the mean, or the one asked for) and
:func:`explain_passes` computes each kept pass's map with the same model, keys and weights the pass
had. The maps themselves are made in :mod:`vggcompare.core.analysis.explanation`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from vggcompare.core.analysis import explanation as ex
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.input.images import encode_png
from vggcompare.core.model.compiled import compile_forward
from vggcompare.core.model.gradcam import compile_gradients, split_model
from vggcompare.core.model.prepare import PreparedModel

DEFAULT_EXPLAINED = 16  # passes explained when --explain-passes is not given


def explained_count(config: ExperimentConfig) -> int:
    """K: how many of the first passes get a map (0 when nothing is explained)."""
    if config.explain is None:
        return 0
    return min(config.passes, config.explain_passes or DEFAULT_EXPLAINED)


class KeptPasses:
    """The first K passes' model inputs and dropout keys, kept during the run for their maps."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.inputs: list[np.ndarray] = []
        self.keys: list[np.ndarray] = []

    def add(self, x: np.ndarray, keys: np.ndarray | None, indices: range) -> None:
        """Keep the rows of ``x`` (and ``keys``) that belong to passes below K."""
        for row, i in enumerate(indices):
            if i < self.count:
                self.inputs.append(np.array(x[row], dtype=np.float32))
                self.keys.append(np.array(keys[row]) if keys is not None else np.zeros(2, np.int64))


def class_to_explain(config: ExperimentConfig, labels: list[str]) -> int | None:
    """The index of ``--explain-class`` (a label or a 0-based number); None means the top-1 of the mean."""
    wanted = config.explain_class
    if wanted is None:
        return None
    text = str(wanted).strip()
    if text.isdigit() and int(text) < len(labels):
        return int(text)
    lowered = [name.lower() for name in labels]
    if text.lower() in lowered:
        return lowered.index(text.lower())
    raise ConfigError(f"the class to explain, {text!r}, is neither one of the model's {len(labels)} labels "
                      f"nor a number from 0 to {len(labels) - 1}")


def check_explainable(prepared: PreparedModel, config: ExperimentConfig) -> None:
    """Refuse, before the passes, a class that is not there or Grad-CAM on a model without a conv layer."""
    if config.explain is None:
        return
    class_to_explain(config, prepared.labels)
    if config.explain == "gradcam":
        _cached(prepared, "split", lambda: split_model(prepared.model, prepared.softmax_applied, prepared.keys))


def explain_passes(prepared: PreparedModel, config: ExperimentConfig, kept: KeptPasses, probabilities: np.ndarray,
                   chunk: int, hold: Callable[[int], None] | None = None, picture: np.ndarray | None = None) -> ex.Explanation:
    """Compute the kept passes' maps for the class asked for (else the top-1 of the mean probabilities).

    ``hold(i)`` makes the model hold pass i's weights (runs with new weights every pass); ``chunk``
    is the run's batch size, so the compiled calls keep the run's batch shape. ``picture`` (H, W, 3,
    0..255) is the model's input before augmentation, kept with the maps to draw them over.
    """
    index = class_to_explain(config, prepared.labels)
    if index is None:
        index = int(np.argmax(probabilities.mean(axis=0)))
    # a model served by an export's runtime is explained through that runtime's own call, on its probabilities
    logits = prepared.softmax_applied and getattr(prepared, "served", None) is None
    notes = []
    if logits:
        notes.append(f"The model's last layer is not a softmax, so the maps explain the score (logit) of "
                     f"“{prepared.labels[index]}”, not a probability.")
    inputs, keys = np.stack(kept.inputs), np.stack(kept.keys)
    same = hold is None and all(np.array_equal(inputs[0], x) for x in inputs[1:]) and \
        all(np.array_equal(keys[0], k) for k in keys[1:])
    if same and len(inputs) > 1:
        notes.append(f"The {len(inputs)} explained passes had the same input, weights and dropout keys, "
                     "so their map was computed once.")
        inputs, keys = inputs[:1], keys[:1]
    size = tuple(inputs.shape[1:3])
    groups = [range(i, i + 1) for i in range(len(inputs))] if hold is not None else [range(len(inputs))]
    maps = []
    for group in groups:
        if hold is not None:
            hold(group.start)
        if config.explain == "gradcam":
            maps.append(_gradcam(prepared, logits, inputs[group.start:group.stop], keys[group.start:group.stop], index, chunk))
            layer = _cached(prepared, "split", lambda: split_model(prepared.model, logits, prepared.keys))[2]
        else:
            maps.append(_occlusion(prepared, logits, inputs[group.start:group.stop], keys[group.start:group.stop], index, chunk))
            layer = f"{ex.OCCLUSION_GRID}×{ex.OCCLUSION_GRID} grid"
    result = ex.summarise(np.concatenate(maps), method=config.explain, class_index=index, class_name=prepared.labels[index],
                          target="logit" if logits else "probability", layer=layer, passes=len(kept.inputs), notes=notes)
    if picture is not None:
        result.picture_png = encode_png(np.rint(np.clip(picture, 0, 255)).astype(np.uint8))
    return result


def _cached(prepared: PreparedModel, key: Any, make: Callable[[], Any]) -> Any:
    """A per-model cache of the explainers' compiled functions (kept with the prepared model)."""
    store = prepared.__dict__.setdefault("_explainers", {})
    if key not in store:
        store[key] = make()
    return store[key]


def _batches(rows: np.ndarray, keys: np.ndarray, chunk: int):
    """(start, padded rows, padded keys) in batches of ``chunk``, so one compiled shape serves them all."""
    for start in range(0, len(rows), chunk):
        x, k = rows[start : start + chunk], keys[start : start + chunk]
        pad = chunk - len(x)
        if pad:
            x, k = np.concatenate([x, np.repeat(x[-1:], pad, 0)]), np.concatenate([k, np.repeat(k[-1:], pad, 0)])
        yield start, np.ascontiguousarray(x, np.float32), k


def _gradcam(prepared: PreparedModel, logits: bool, inputs: np.ndarray, keys: np.ndarray, index: int, chunk: int) -> np.ndarray:
    features, head, _ = _cached(prepared, "split", lambda: split_model(prepared.model, logits, prepared.keys))
    shape = (chunk, *inputs.shape[1:])
    grads = _cached(prepared, ("gradcam", shape), lambda: compile_gradients(features, head, prepared.keys, shape))
    out = []
    for start, x, k in _batches(inputs, keys, chunk):
        a, g = grads(x, k, index)
        n = min(chunk, len(inputs) - start)
        out.append(ex.gradcam_maps(a[:n], g[:n], inputs.shape[1:3]))
    return np.concatenate(out)


def _occlusion(prepared: PreparedModel, logits: bool, inputs: np.ndarray, keys: np.ndarray, index: int, chunk: int) -> np.ndarray:
    """Each pass's occlusion map: the pass and its 49 occluded copies, made call by call into one reused batch."""
    size = inputs.shape[1:3]
    boxes = ex.grid_boxes(size)
    per = 1 + len(boxes)
    total = len(inputs) * per
    fills = [x.reshape(-1, x.shape[-1]).mean(axis=0) for x in inputs]  # as ex.occluded_inputs fills a patch
    forward = prepared.forward if not logits else _logit_forward(prepared, (chunk, *inputs.shape[1:]))
    batch = np.empty((chunk, *inputs.shape[1:]), np.float32)
    batch_keys = np.empty((chunk, *keys.shape[1:]), keys.dtype)
    scores = np.empty(total, np.float32)
    for start in range(0, total, chunk):
        n = min(chunk, total - start)
        for row in range(chunk):  # a short last call repeats its last row, so one compiled shape serves them all
            i, j = divmod(start + min(row, n - 1), per)
            batch[row] = inputs[i]
            if j:
                top, bottom, left, right = boxes[j - 1]
                batch[row, top:bottom, left:right] = fills[i]
            batch_keys[row] = keys[i]
        scores[start : start + n] = forward(batch, batch_keys)[:n, index]
    return np.stack([ex.occlusion_map(scores[i * per : (i + 1) * per], boxes, size) for i in range(len(inputs))])


def _logit_forward(prepared: PreparedModel, shape: tuple[int, ...]):
    """The compiled forward call of the model without the Softmax the engine added to its scores."""
    def make():
        import keras

        model = keras.Model(prepared.model.inputs[0], prepared.model.layers[-1].input)
        return compile_forward(model, prepared.keys, shape)

    return _cached(prepared, ("logits", shape), make)
