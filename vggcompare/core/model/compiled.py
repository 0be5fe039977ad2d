"""The backend's own compiled forward function: tf.function under TensorFlow, jax.jit under JAX.

Both take the batch and the passes' dropout keys as arguments, so one compiled function serves
every forward call of its batch size. Under JAX the model's weights are arguments too
(``stateless_call``), so new weights take effect without recompiling.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from vggcompare.core.model.mc_dropout import DropoutKeys

Forward = Callable[[np.ndarray, np.ndarray], np.ndarray]


def compile_forward(model: Any, holder: DropoutKeys | None, shape: tuple[int, ...]) -> Forward:
    """Compile ``model``'s inference for a batch of ``shape``; return f(batch, keys) -> (B, C) float32."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _tensorflow_forward(model, holder, shape)
    if backend == "jax":
        return _jax_forward(model, holder)
    raise NotImplementedError(f"the {backend} backend is not supported; use tensorflow or jax")


def _tensorflow_forward(model: Any, holder: DropoutKeys | None, shape: tuple[int, ...]) -> Forward:
    import tensorflow as tf

    def call(x, keys):
        if holder is not None:
            holder.current = keys
        return model(x, training=False)

    spec = [tf.TensorSpec(shape, tf.float32), tf.TensorSpec((shape[0], 2), tf.int32)]
    fn = tf.function(call, input_signature=spec)

    def run(batch: np.ndarray, keys: np.ndarray) -> np.ndarray:
        out = fn(tf.constant(batch), tf.constant(DropoutKeys.as_backend_keys(keys, "tensorflow")))
        return np.asarray(out.numpy(), dtype=np.float32)

    return run


def _jax_forward(model: Any, holder: DropoutKeys | None) -> Forward:
    import jax

    def call(trainable, non_trainable, x, keys):
        if holder is not None:
            holder.current = keys
        out, _ = model.stateless_call(trainable, non_trainable, x, training=False)
        return out

    fn = jax.jit(call)

    def run(batch: np.ndarray, keys: np.ndarray) -> np.ndarray:
        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        out = fn(trainable, non_trainable, batch, DropoutKeys.as_backend_keys(keys, "jax"))
        return np.asarray(out, dtype=np.float32)

    return run
