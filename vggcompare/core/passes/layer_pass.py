"""The instrumented pass: the same forward call, with every layer's output kept (one extra call per run).

:func:`layer_model` builds a Keras model on the prepared model's own layers (sharing their weights) whose outputs
are every layer's output, in the model's order. :func:`trace_layers` calls it on the run's first batch, by the
run's call path and with its training flag and dropout keys, and keeps the image's row (row 0) of each output as
float32. Training mode's moving statistics are put back after the call, as in the plain pass.

A model that nests another model as one layer (a base network inside a classifier) is opened with
core.model.nested: the inner model's layers are called again on the outer tensors, so each inner layer becomes a row
named ``outer/inner`` (taking the inner model's own tensors would raise "Graph disconnected"). Layers with several
outputs keep their first.

With every layer an output the compiler may fuse fewer operations (a convolution's output can no longer be folded
into the BatchNorm after it), so the instrumented output can differ from the plain pass's by round-off; the run's
note says so when it does (Polygraphy's "mark all" has the same effect on TensorRT).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from vggcompare.core.analysis.layers import LayerTrace

_PROBES: "weakref.WeakKeyDictionary[Any, tuple[Any, list[str], list[str], list[str]]]" = weakref.WeakKeyDictionary()
_CALLS: "weakref.WeakKeyDictionary[Any, dict[tuple, Any]]" = weakref.WeakKeyDictionary()


def _graph(model: Any) -> Any:
    """The functional graph of a model (a Sequential model keeps one once built)."""
    inner = getattr(model, "_functional", None)
    return inner if inner is not None else model


def _opened(model: Any) -> tuple[Any, list[Any], list[str], list[str]]:
    """``model``'s graph as (inputs, every layer's output tensor, layer names, opened models' names).

    A flat model keeps its own tensors (no layer is called again, so ``layer.output`` keeps working for other
    code); a model nesting others is replayed with them opened (core.model.nested)."""
    from vggcompare.core.model.nested import is_model, layer_outputs_model

    nested = [layer.name for layer in model.layers if is_model(layer)]
    if nested:
        probe, names = layer_outputs_model(model)
        return list(probe.inputs), list(probe.outputs), names, nested
    outputs, names = [], []
    for node in _nodes_in_order(model):
        if node.operation and not node.is_input:
            outputs.append(node.outputs[0])
            names.append(node.operation.name)
    if outputs and outputs[-1] is not model.outputs[0]:
        outputs.append(model.outputs[0])
        names.append("output")
    return list(model.inputs), outputs, names, []


def _nodes_in_order(graph: Any) -> list[Any]:
    """The graph's nodes in execution order (Keras' own topological order)."""
    nodes: list[Any] = []
    by_depth = graph._nodes_by_depth
    for depth in sorted(by_depth, reverse=True):
        nodes.extend(by_depth[depth])
    return nodes


def layer_model(model: Any) -> tuple[Any, list[str], list[str], list[str]]:
    """A model with every layer's output as an output, sharing ``model``'s weights: (probe, names, kinds, notes)."""
    cached = _PROBES.get(_graph(model))
    if cached is not None:
        return cached
    import keras

    model = _graph(model)
    if not hasattr(model, "_nodes_by_depth") or not model.inputs:
        from vggcompare.core.errors import ModelError

        raise ModelError("a layer-by-layer pass needs a functional or Sequential Keras model (a subclassed model "
                         "has no graph of layers to read)")
    original = model
    inputs, outputs, names, opened = _opened(model)
    kinds = _kinds_of(model, names)
    for i, kind in enumerate(kinds):  # a Dropout layer kept on under its own name, so both runs' layers line up
        if kind == "PassDropout" and names[i].rsplit("/", 1)[-1].startswith("mc_") and not names[i].endswith(("mc_dropout_1", "mc_dropout_2")):
            head, _, last = names[i].rpartition("/")
            names[i], kinds[i] = (head + "/" if head else "") + last[3:], "Dropout"
    notes = [f"Nested model{'s' if len(opened) > 1 else ''} {', '.join(opened)} opened: each inner layer is a row."] if opened else []
    probe = keras.Model(inputs, outputs, name=f"{model.name}_every_layer")
    _PROBES[original] = (probe, names, kinds, notes)
    return _PROBES[original]


def _kinds_of(model: Any, names: list[str]) -> list[str]:
    """The class name of each named layer ("outer/inner" names reach into nested models)."""
    out = []
    for name in names:
        if name == "output":
            out.append("Output")
            continue
        holder = model
        for part in name.split("/"):
            holder = holder.get_layer(part)
        out.append(type(holder).__name__)
    return out


def trace_layers(prepared: Any, batch: np.ndarray, keys: np.ndarray | None, call: str = "compiled",
                 training: bool | str = False, row: int = 0) -> LayerTrace:
    """Run the instrumented pass on ``batch`` and keep row ``row`` of every layer's output as float32.

    ``call`` and ``training`` are the run's call path and training flag (True, False, "batchnorm", "dropout"),
    ``keys`` its dropout keys (as the plain call got them)."""
    probe, names, kinds, notes = layer_model(prepared.model)
    fn = _call_for(prepared, probe, batch.shape, call, training)
    keys = keys if keys is not None else np.zeros((batch.shape[0], 2), np.int64)
    outs = fn(np.ascontiguousarray(batch, dtype=np.float32), keys, row)
    arrays = [np.asarray(o, dtype=np.float32) for o in outs]
    return LayerTrace(list(names), list(kinds), arrays, None, list(notes))


def _call_for(prepared: Any, probe: Any, shape: tuple[int, ...], call: str, training: bool | str):
    calls = _CALLS.setdefault(probe, {})
    key = (tuple(shape), call, training)
    if key not in calls:
        calls[key] = _compile(prepared, probe, tuple(shape), call, training)
    return calls[key]


def _compile(prepared: Any, probe: Any, shape: tuple[int, ...], call: str, training: bool | str):
    """f(batch, keys, row) -> list of (layer shape) arrays, by the path ``call``, as core.model.compiled does."""
    import keras

    from vggcompare.core.model.mc_dropout import DropoutKeys

    holder = prepared.keys
    dropout_on = training != "batchnorm"
    flag = training in (True, "batchnorm")
    backend = keras.backend.backend()

    if backend == "tensorflow" and call in ("compiled", "xla"):
        import tensorflow as tf

        def body(x, k):
            if holder is not None:
                holder.current = k
            return [o[:1] if o.shape.rank else o for o in _as_list(probe(x, training=flag))]

        spec = [tf.TensorSpec(shape, tf.float32), tf.TensorSpec((shape[0], 2), tf.int32)]
        graph = tf.function(body, input_signature=spec, jit_compile=True if call == "xla" else None)

        def run(batch, keys, row):
            if row:  # the instrumented graph keeps row 0; another row is moved there (same batch, other order)
                raise ValueError("the instrumented pass keeps row 0")
            outs = graph(tf.constant(batch), tf.constant(DropoutKeys.as_backend_keys(keys, "tensorflow")))
            return [np.asarray(o.numpy()[0], dtype=np.float32) for o in outs]
    elif call == "predict":
        def run(batch, keys, row):
            if holder is not None:
                holder.current = keras.ops.convert_to_tensor(DropoutKeys.as_backend_keys(keys, backend))
            outs = _as_list(probe.predict(batch, batch_size=len(batch), verbose=0))
            return [np.asarray(o)[row].astype(np.float32) for o in outs]
    elif backend == "jax" and call != "eager":
        import jax

        def body(trainable, non_trainable, x, k):
            if holder is not None:
                holder.current = k
            outs, _ = probe.stateless_call(trainable, non_trainable, x, training=flag)
            return _as_list(outs)

        jitted = jax.jit(body)

        def run(batch, keys, row):
            outs = jitted([v.value for v in probe.trainable_variables], [v.value for v in probe.non_trainable_variables],
                          batch, DropoutKeys.as_backend_keys(keys, "jax"))
            return [np.asarray(o)[row].astype(np.float32) for o in outs]
    else:  # eager
        def run(batch, keys, row):
            if holder is not None:
                holder.current = keras.ops.convert_to_tensor(DropoutKeys.as_backend_keys(keys, backend))
            outs = _as_list(probe(keras.ops.convert_to_tensor(batch), training=flag))
            return [np.asarray(keras.ops.convert_to_numpy(o))[row].astype(np.float32) for o in outs]

    if not dropout_on:
        run = _dropout_off(probe, run)
    return _restoring(probe, run) if flag else run


def _as_list(outs: Any) -> list[Any]:
    return list(outs) if isinstance(outs, (list, tuple)) else [outs]


def _dropout_off(probe: Any, fn):
    layers = [layer for layer in probe._flatten_layers(include_self=False, recursive=True) if type(layer).__name__ == "PassDropout"]

    def run(batch, keys, row):
        for layer in layers:
            layer.active = False
        try:
            return fn(batch, keys, row)
        finally:
            for layer in layers:
                layer.active = True

    return run


def _restoring(probe: Any, fn):
    """Put the moving statistics back after a training-mode call, as the plain pass does."""
    import keras

    def run(batch, keys, row):
        saved = [keras.ops.convert_to_numpy(v.value) for v in probe.non_trainable_variables]
        try:
            return fn(batch, keys, row)
        finally:
            for v, value in zip(probe.non_trainable_variables, saved):
                v.assign(value)

    return run
