"""The instrumented pass of a model served by an exported runtime: its tensors matched to the Keras layers.

:func:`trace_served` runs the image (row 0 of the first batch, alone) once more through the runtime with its
intermediate tensors kept (core.model.runtimes.intermediates) and keeps each tensor that is a Keras layer's output,
under that layer's name, so it lines up with a Keras run's trace. The trace is partial: layers fused away and,
for a SavedModel or a user's own file, every layer but the output are left out, and its notes say so.

Keeping every tensor can change the runtime's arithmetic (LiteRT#413, tensorflow#79355), so the trace's last row
is the instrumented call's own output, and a note says whether it matches the plain call's bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vggcompare.core.analysis.layers import LayerTrace

# what the instrumented call is, and why it can round differently from the plain one
_WHAT = {"onnxruntime": ("ONNX Runtime with every node output listed as a graph output",
                         "ONNX Runtime fuses fewer nodes when their outputs are graph outputs")}
_TFLITE = ("The TFLite interpreter keeping every tensor", "each op runs on its own, unfused: LiteRT#413, tensorflow#79355")


def keras_layers(model: Any) -> tuple[list[tuple[str, tuple[int, ...]]], dict[str, str]]:
    """The Keras model's layers in order as (name, output shape without batch), and each layer's class name."""
    from vggcompare.core.passes.layer_pass import layer_model

    probe, names, kinds, _notes = layer_model(model)
    shapes = [tuple(int(d) for d in output.shape[1:]) for output in probe.outputs]
    return list(zip(names, shapes)), dict(zip(names, kinds))


def keras_model_of(prepared: Any, config: Any) -> tuple[Any, list[str]]:
    """The Keras model whose layer names a served model's tensors are matched to: the one it was exported from, or for
    a user's own file the Keras model named by ``reference_model`` (None when there is none, or it cannot be read)."""
    if prepared.model is not None or not config.reference_model:
        return prepared.model, []
    from vggcompare.core.errors import VggCompareError
    from vggcompare.core.model.prepare import prepare_model

    keras_config = config.replace(model=config.reference_model, runtime="keras", reference_model=None,
                                  tflite_xnnpack=True, tflite_threads=None, calibration=None)
    try:
        return prepare_model(keras_config, allow_download=False).model, []
    except VggCompareError as exc:
        return None, [f"The Keras model your file came from could not be read for its layer names: {str(exc).rstrip('.')}."]


def trace_served(prepared: Any, batch: np.ndarray, plain: np.ndarray, keras_model: Any = None) -> LayerTrace:
    """The served model's layers for the image (``batch``'s row 0, run alone), where its tensors allow; ``plain`` is
    the plain call's row 0; ``keras_model`` the model whose layer names are matched (:func:`keras_model_of`)."""
    from vggcompare.core.analysis.verdict import fmt
    from vggcompare.core.model.runtimes.intermediates import runtime_layers

    served = prepared.served
    layers, kinds = keras_layers(keras_model) if keras_model is not None else (None, {})
    found = runtime_layers(served, layers, batch[:1])  # every tensor of a whole batch kept would be its size × B
    notes = list(found.notes)
    if len(batch) > 1:
        notes.append(f"The runtime's layers come from the image alone (the plain call ran {len(batch)} rows at once).")
    if not found.outputs_only:
        what, why = _WHAT.get(served.runtime, _TFLITE)
        output = found.output.reshape(-1)
        if output.shape == plain.shape and np.array_equal(output, plain):
            notes.append(f"{what} gives the plain call's output bit for bit.")
        elif output.shape == plain.shape:
            notes.append(f"{what} gives an output that differs from the plain call's by up to "
                         f"{fmt(float(np.abs(output.astype(np.float64) - plain).max()))} ({why}): the layers compared, "
                         "its output included, are this instrumented call's.")
    return LayerTrace(found.names, [kinds.get(name, "Output") for name in found.names], found.arrays, None, notes,
                      partial=True)
