"""Grad-CAM's backend part: the last convolutional block's activations and the class score's gradient.

The model is split after its last convolutional block (the last Conv layer and the BatchNorm and
activation layers right after it): a *features* model (input → the block's output A) and a *head*
(the remaining layers, applied in order). The gradient of the explained score with respect to A
comes from ``tf.GradientTape`` under TensorFlow and ``jax.grad`` over the head's ``stateless_call``
under JAX. Each compiled function takes the batch, the dropout keys and the class as arguments, so
one compilation serves every call of its batch size. The weighting (Grad-CAM's α) is in
:mod:`vggcompare.core.analysis.explanation`, the same for both backends.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from vggcompare.core.errors import GradcamUnavailableError
from vggcompare.core.model.mc_dropout import DropoutKeys

NO_CONV = "Grad-CAM needs a convolutional layer; occlusion works (--explain occlusion)"
_CONV_NAMES = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose")
_BLOCK_TAIL = ("BatchNormalization", "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU")

Gradients = Callable[[np.ndarray, np.ndarray, int], tuple[np.ndarray, np.ndarray]]


def opened(model: Any) -> Any:
    """``model`` itself, or, when it nests models as layers, one flat graph of their layers (the same weights)."""
    from vggcompare.core.model.nested import is_model, rebuilt

    return rebuilt(model) if any(is_model(layer) for layer in model.layers) else model


def last_conv_block(model: Any) -> int:
    """Index in ``model.layers`` of the last convolutional block's output layer; ModelError when there is none.

    ``model`` has no nested model as a layer (see :func:`opened`)."""
    layers = list(model.layers)
    conv = [i for i, layer in enumerate(layers) if type(layer).__name__ in _CONV_NAMES]
    if not conv:
        raise GradcamUnavailableError(NO_CONV)
    end = conv[-1]
    while end + 1 < len(layers) and type(layers[end + 1]).__name__ in _BLOCK_TAIL:
        end += 1
    return end


def split_model(model: Any, logits: bool = False, holder: DropoutKeys | None = None) -> tuple[Any, Any, str]:
    """Return (features, head, layer name): features(x) is the last conv block's output, head(A) the score.

    A model that nests its base model as one layer is opened first (core.model.nested), at any depth.
    ``logits``: the model ends in the Softmax layer the engine added to a model that outputs scores,
    and the head stops before it, so the scores (logits) are explained. Raises ModelError when there is
    no convolutional layer or when the layers after the block are not a plain chain. ``holder``: the
    model's dropout keys, if it has MC dropout layers.
    """
    import keras

    model = opened(model)  # a base model nested as one layer is split inside, after its own last convolution
    end = last_conv_block(model)
    layers = list(model.layers)
    target = layers[end]
    inputs, block = _tensors_of(model, target)
    features = keras.Model(inputs, block)
    chain = layers[end + 1 : -1] if logits else layers[end + 1 :]
    if not chain:
        raise GradcamUnavailableError(f"Grad-CAM found no layers after {target.name}; occlusion works (--explain occlusion)")
    head = keras.Sequential(chain)
    head.build(tuple(features.output.shape))
    reference = keras.Model(model.inputs[0], model.layers[-1].input) if logits else model
    if holder is not None:  # the check's eager calls need keys of their own
        holder.current = keras.ops.convert_to_tensor(DropoutKeys.as_backend_keys(np.zeros((1, 2)), keras.backend.backend()))
    _check_split(features, head, reference, target.name)
    return features, head, target.name


def _tensors_of(model: Any, layer: Any) -> tuple[Any, Any]:
    """(the model's input, ``layer``'s output) in this model's own graph: a layer shared with another model
    (a copy made for MC dropout) has one output per model, and ``layer.output`` is the first one's."""
    graph = getattr(model, "_functional", None) or model  # a Sequential keeps its graph in _functional
    for nodes in getattr(graph, "_nodes_by_depth", {}).values():
        for node in nodes:
            if node.operation is layer:
                return graph.inputs[0], node.outputs[0]
    return model.inputs[0], layer.output


def _check_split(features: Any, head: Any, reference: Any, name: str) -> None:
    """Refuse a split whose head(features(x)) is not the model's own score (a graph with branches)."""
    shape = tuple(d or 1 for d in features.inputs[0].shape)
    x = np.random.default_rng(0).uniform(-1.0, 1.0, (1, *shape[1:])).astype(np.float32)
    got = np.asarray(head(features(x, training=False), training=False), dtype=np.float32)
    want = np.asarray(reference(x, training=False), dtype=np.float32)
    if got.shape != want.shape or not np.allclose(got, want, rtol=1e-3, atol=1e-5):
        raise GradcamUnavailableError(f"Grad-CAM cannot split this model after {name} (its layers branch); "
                         "occlusion works (--explain occlusion)")


def compile_gradients(features: Any, head: Any, holder: DropoutKeys | None, shape: tuple[int, ...]) -> Gradients:
    """Compile f(batch, keys, class) -> (A, dScore/dA), both (B, h, w, k) float32, for the active backend."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _tensorflow_gradients(features, head, holder, shape)
    if backend == "jax":
        return _jax_gradients(features, head, holder)
    raise NotImplementedError(f"Grad-CAM is not supported on the {backend} backend; occlusion works")


def _tensorflow_gradients(features: Any, head: Any, holder: DropoutKeys | None, shape: tuple[int, ...]) -> Gradients:
    import tensorflow as tf

    def call(x, keys, index):
        if holder is not None:
            holder.current = keys
        a = features(x, training=False)
        with tf.GradientTape() as tape:
            tape.watch(a)
            score = tf.reduce_sum(tf.gather(head(a, training=False), index, axis=1))
        return tf.cast(a, tf.float32), tf.cast(tape.gradient(score, a), tf.float32)

    spec = [tf.TensorSpec(shape, tf.float32), tf.TensorSpec((shape[0], 2), tf.int32), tf.TensorSpec((), tf.int32)]
    fn = tf.function(call, input_signature=spec)

    def run(batch: np.ndarray, keys: np.ndarray, index: int) -> tuple[np.ndarray, np.ndarray]:
        a, g = fn(tf.constant(batch), tf.constant(DropoutKeys.as_backend_keys(keys, "tensorflow")), tf.constant(index, tf.int32))
        return a.numpy(), g.numpy()

    return run


def _jax_gradients(features: Any, head: Any, holder: DropoutKeys | None) -> Gradients:
    import jax
    import jax.numpy as jnp

    def call(tf_vars, nf_vars, th_vars, nh_vars, x, keys, index):
        if holder is not None:
            holder.current = keys
        a, _ = features.stateless_call(tf_vars, nf_vars, x, training=False)

        def score(act):
            out, _ = head.stateless_call(th_vars, nh_vars, act, training=False)
            return jnp.sum(jnp.take(out, index, axis=1))

        return a.astype(jnp.float32), jax.grad(score)(a).astype(jnp.float32)

    fn = jax.jit(call)

    def run(batch: np.ndarray, keys: np.ndarray, index: int) -> tuple[np.ndarray, np.ndarray]:
        values = [[v.value for v in group] for group in (features.trainable_variables, features.non_trainable_variables,
                                                         head.trainable_variables, head.non_trainable_variables)]
        a, g = fn(*values, batch, DropoutKeys.as_backend_keys(keys, "jax"), np.int32(index))
        return np.asarray(a, dtype=np.float32), np.asarray(g, dtype=np.float32)

    return run
