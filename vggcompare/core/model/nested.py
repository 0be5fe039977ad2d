"""Models inside models: every layer at any depth, the real last operation, and a graph rebuilt so that an inner
layer's output can be a model output.

Keras' guides nest a whole model as one layer (``x = base_model(inputs, training=False)``). Its inner tensors belong
to the inner model's own graph, so ``keras.Model(outer.inputs, inner_layer.output)`` raises "Graph disconnected"
(keras-team/keras#16123). :func:`replay` calls every inner layer again on the outer tensors instead, so the rebuilt
graph holds the same layer objects (the same weights) with outputs reachable from the outer input.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

LayerFilter = Callable[[Any], bool]
Visit = Callable[[str, Any, Any], Any]
Substitute = Callable[[str, Any], Any]


def is_model(layer: Any) -> bool:
    """True for a layer that is itself a model (Functional, Sequential or subclassed; Keras 3 or tf_keras)."""
    import keras

    if isinstance(layer, keras.Model):
        return True
    return type(layer).__module__.startswith("tf_keras") and hasattr(layer, "layers") and hasattr(layer, "get_layer")


def iter_layers(model: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every layer of ``model`` at any depth, in order, as (path, layer); nested models are opened, not yielded,
    and input layers (which compute nothing) are left out.

    The path names the nested models on the way, joined by "/": ``mobilenet/conv1``."""
    for layer in getattr(model, "layers", []):
        path = f"{prefix}{layer.name}"
        if type(layer).__name__ == "InputLayer":
            continue
        if is_model(layer):
            yield from iter_layers(layer, path + "/")
        else:
            yield path, layer


def all_layers(model: Any) -> list[Any]:
    """Every layer of ``model`` at any depth, in order, nested models opened."""
    return [layer for _path, layer in iter_layers(model)]


def _graph(model: Any) -> Any:
    """The functional graph of ``model``: itself, a Sequential's inner Functional, or None (a subclassed model)."""
    if hasattr(model, "_run_through_graph") and hasattr(model, "_nodes_by_depth"):
        return model
    inner = getattr(model, "_functional", None)
    return inner if inner is not None else None


def last_operation(model: Any) -> Any:
    """The operation that computes ``model``'s (first) output, walking into nested models at any depth.

    A subclassed model without a graph gives its last layer (or itself when it has none)."""
    graph = _graph(model)
    if graph is None:
        layers = getattr(model, "layers", [])
        if not layers:
            return model
        last = layers[-1]
        return last_operation(last) if is_model(last) else last
    operation = graph.outputs[0]._keras_history.operation
    if is_model(operation) and operation is not model:
        return last_operation(operation)
    return operation


def replay(model: Any, inputs: Any, visit: Visit | None = None, prefix: str = "",
           substitute: Substitute | None = None) -> Any:
    """Call ``model``'s layers again, in order, on ``inputs`` (symbolic tensors); return its outputs.

    Nested models are opened: their layers are called on the outer tensors, at any depth. ``visit(path, layer,
    output)`` is called after each (non-model) layer and returns the tensor to pass on (usually ``output``).
    ``substitute(path, layer)`` may return another layer to call in that layer's place (None keeps it). The
    layers are the same objects, so the rebuilt graph shares the model's weights."""
    graph = _graph(model)
    if graph is None:
        raise ValueError(f"{model.name} is a subclassed model: its layers cannot be called one by one")

    def operation_fn(operation: Any) -> Callable[..., Any]:
        path = f"{prefix}{operation.name}"
        if is_model(operation):
            return lambda *args, **_kwargs: replay(operation, args[0], visit, path + "/", substitute)
        called = (substitute(path, operation) if substitute is not None else None) or operation

        def call(*args: Any, **kwargs: Any) -> Any:
            out = called(*args, **kwargs)
            return visit(path, operation, out) if visit is not None else out

        return call

    return graph._run_through_graph(inputs, operation_fn=operation_fn)


def layer_outputs_model(model: Any, layer_filter: LayerFilter | None = None) -> tuple[Any, list[str]]:
    """A model with ``model``'s input whose outputs are the outputs of every layer that ``layer_filter`` keeps.

    Layers inside nested models count, at any depth; a layer whose output is not one tensor is skipped. Returns
    the model and the kept layers' paths (``outer/inner``), in the order the layers run. The model shares
    ``model``'s weights.

    Examples
    --------
    >>> view, names = layer_outputs_model(model, lambda layer: "Conv" in type(layer).__name__)
    >>> activations = dict(zip(names, view.predict(x)))
    """
    import keras

    keep = layer_filter or (lambda _layer: True)
    source = model.inputs[0]
    inputs = keras.Input(shape=tuple(source.shape[1:]), dtype=source.dtype, name=f"{model.name}_input")
    names: list[str] = []
    outputs: list[Any] = []

    def visit(path: str, layer: Any, out: Any) -> Any:
        if isinstance(out, keras.KerasTensor) and keep(layer):
            names.append(path)
            outputs.append(out)
        return out

    replay(model, inputs, visit)
    if not outputs:
        raise ValueError(f"no layer of {model.name} was kept")
    return keras.Model(inputs, outputs, name=f"{model.name}_layers"), names


def rebuilt(model: Any, substitute: Substitute | None = None) -> Any:
    """``model`` with every nested model opened into one flat graph (the same layers and weights).

    ``substitute(path, layer)`` may return a layer to call in that layer's place (see :func:`replay`)."""
    import keras

    source = model.inputs[0]
    inputs = keras.Input(shape=tuple(source.shape[1:]), dtype=source.dtype, name=f"{model.name}_input")
    return keras.Model(inputs, replay(model, inputs, substitute=substitute), name=f"{model.name}_flat")
