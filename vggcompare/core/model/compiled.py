"""The forward call, by the path the user's code takes: the backend's own compiled function (tf.function
under TensorFlow, jax.jit under JAX), ``model.predict``, the eager ``model(x)``, or XLA (``jit_compile``).

Every path takes the batch and the passes' dropout keys, so keyed dropout works on each. Under JAX the
compiled path passes the weights as arguments (``stateless_call``), so new weights take effect without
recompiling; under JAX jit is already XLA, so ``xla`` is the compiled path. In training mode
(``training=True``) BatchNorm layers update their moving statistics: they are put back after each call,
so one run never changes the next.

Training mode can also be split into its parts (``training="batchnorm"``: the call has training=True with
the keyed Dropout and augmentation layers switched off; ``training="dropout"``: training=False with the keyed
Dropout layers on; ``training="augmentation"``: training=False with the model's keyed augmentation layers on),
on the same model variant: the switches are read when the call is traced, so each part is its own compiled
function.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from vggcompare.core.model.mc_dropout import DropoutKeys

Forward = Callable[[np.ndarray, np.ndarray], np.ndarray]


def compile_forward(model: Any, holder: DropoutKeys | None, shape: tuple[int, ...], call: str = "compiled",
                    training: bool | str = False) -> Forward:
    """Return f(batch, keys) -> (B, C) float32 for ``model`` on batches of ``shape``, by the path ``call``.

    ``training`` is False, True, "batchnorm" (training=True, keyed Dropout and augmentation off), "dropout"
    (training=False, keyed Dropout on) or "augmentation" (training=False, keyed augmentation layers on)."""
    import keras

    dropout_on = training not in ("batchnorm", "augmentation")
    augmentation_on = {True: None, "augmentation": True}.get(training, False) if training is not False else None
    training = training in (True, "batchnorm")

    backend = keras.backend.backend()
    if backend not in ("tensorflow", "jax"):
        raise NotImplementedError(f"the {backend} backend is not supported; use tensorflow or jax")
    if call == "predict":
        fn = _predict_forward(model, holder, backend)
    elif call == "eager":
        fn = _eager_forward(model, holder, backend, training)
    elif backend == "tensorflow":
        fn = _tensorflow_forward(model, holder, shape, training, jit_compile=call == "xla")
    else:
        fn = _jax_forward(model, holder, training)
    fn = fn if dropout_on and augmentation_on is None else _switched(model, fn, dropout_on, augmentation_on)
    return _restoring_state(model, fn) if training else fn


def _switched(model: Any, fn: Forward, dropout_on: bool, augmentation_on: bool | None) -> Forward:
    """Wrap ``fn`` so that, while it runs (and traces), the model's keyed Dropout layers are on or pass their input
    through, and its keyed augmentation layers are forced on or off (None: they follow the training flag)."""
    layers = list(model._flatten_layers(include_self=False, recursive=True))
    dropout = [layer for layer in layers if type(layer).__name__ == "PassDropout"]
    augmentation = [layer for layer in layers if type(layer).__name__ == "PassAugmentation"]

    def run(batch: np.ndarray, keys: np.ndarray) -> np.ndarray:
        for layer in dropout:
            layer.active = dropout_on
        for layer in augmentation:
            layer.active = augmentation_on
        try:
            return fn(batch, keys)
        finally:
            for layer in dropout:
                layer.active = True
            for layer in augmentation:
                layer.active = None

    return run


def _restoring_state(model: Any, fn: Forward) -> Forward:
    """Wrap ``fn`` so the model's non-trainable variables (BatchNorm's moving statistics) are put back after it."""
    import keras

    def run(batch: np.ndarray, keys: np.ndarray) -> np.ndarray:
        saved = [keras.ops.convert_to_numpy(v.value) for v in model.non_trainable_variables]
        try:
            return fn(batch, keys)
        finally:
            for v, value in zip(model.non_trainable_variables, saved):
                v.assign(value)

    return run


class _RetracingFilter:
    """Drops TensorFlow's "triggered tf.function retracing" warning, and only it.

    Each compiled forward is its own tf.function with a fixed input signature, traced once and kept (per model
    variant, batch size, call path and training part): a checkup needs a dozen distinct graphs. They all wrap
    the same Python code, so TensorFlow's frequent-tracing heuristic counts them as one function retracing and
    warns, although nothing is traced twice. One trace for every batch size (batch dimension None) would not
    serve the keyed Dropout layers, whose masks are drawn row by row."""

    def filter(self, record: Any) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


def _quiet_retracing_warning() -> None:
    import logging

    logger = logging.getLogger("tensorflow")
    if not any(isinstance(f, _RetracingFilter) for f in logger.filters):
        logger.addFilter(_RetracingFilter())


def _tensorflow_forward(model: Any, holder: DropoutKeys | None, shape: tuple[int, ...], training: bool,
                        jit_compile: bool = False) -> Forward:
    import tensorflow as tf

    _quiet_retracing_warning()

    def call(x, keys):
        if holder is not None:
            holder.current = keys
        return model(x, training=training)

    spec = [tf.TensorSpec(shape, tf.float32), tf.TensorSpec((shape[0], 2), tf.int32)]
    fn = tf.function(call, input_signature=spec, jit_compile=jit_compile or None)

    def run(batch: np.ndarray, keys: np.ndarray) -> np.ndarray:
        out = fn(tf.constant(batch), tf.constant(DropoutKeys.as_backend_keys(keys, "tensorflow")))
        return np.asarray(out.numpy(), dtype=np.float32)

    return run


def _jax_forward(model: Any, holder: DropoutKeys | None, training: bool) -> Forward:
    import jax

    def call(trainable, non_trainable, x, keys):
        if holder is not None:
            holder.current = keys
        out, _ = model.stateless_call(trainable, non_trainable, x, training=training)
        return out

    fn = jax.jit(call)

    def run(batch: np.ndarray, keys: np.ndarray) -> np.ndarray:
        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        out = fn(trainable, non_trainable, batch, DropoutKeys.as_backend_keys(keys, "jax"))
        return np.asarray(out, dtype=np.float32)

    return run


def _eager_forward(model: Any, holder: DropoutKeys | None, backend: str, training: bool) -> Forward:
    """``model(x, training=...)`` with no compiled function around it (TensorFlow's eager mode; JAX op by op)."""
    import keras

    def run(batch: np.ndarray, keys: np.ndarray) -> np.ndarray:
        if holder is not None:
            holder.current = keras.ops.convert_to_tensor(DropoutKeys.as_backend_keys(keys, backend))
        out = model(keras.ops.convert_to_tensor(batch), training=training)
        return np.asarray(keras.ops.convert_to_numpy(out), dtype=np.float32)

    return run


def _predict_forward(model: Any, holder: DropoutKeys | None, backend: str) -> Forward:
    """``model.predict(batch, batch_size=len(batch))``, which always calls with ``training=False``.

    Keyed dropout reads its keys from a variable under TensorFlow; under JAX, predict's compiled step
    would keep the first call's keys as constants, so it is rebuilt for each call when there are keys.
    """
    import keras

    variable = None

    def run(batch: np.ndarray, keys: np.ndarray) -> np.ndarray:
        nonlocal variable
        if holder is not None:
            words = DropoutKeys.as_backend_keys(keys, backend)
            if backend == "tensorflow":
                import tensorflow as tf

                if variable is None:
                    variable = tf.Variable(words, trainable=False)
                variable.assign(words)
                holder.current = variable
            else:
                holder.current = keras.ops.convert_to_tensor(words)
                model.predict_function = None  # a new trace, with these keys
        out = model.predict(batch, batch_size=len(batch), verbose=0)
        return np.asarray(out, dtype=np.float32)

    return run
