"""The caller's process as the API found it: random states, seeds, dtype policy, op determinism, model state.

The engine seeds Python's ``random``, NumPy's global generator, TensorFlow and Keras for a seeded run, may
switch op determinism, and a training-mode call moves BatchNorm's moving statistics. :func:`caller_state`
records all of it before a call and puts it back afterwards, whatever happens in between.
"""

from __future__ import annotations

import random
import sys
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np


def _keras_state() -> dict[str, Any]:
    """What the Keras/TensorFlow side holds, only if the caller has imported Keras already (nothing is imported here)."""
    if "keras" not in sys.modules:
        return {}
    import keras
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED

    state: dict[str, Any] = {
        "policy": keras.config.dtype_policy(),
        "keras_seed": global_state.get_global_attribute(GLOBAL_RANDOM_SEED),
        "seed_generator": global_state.get_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR),
    }
    generator = state["seed_generator"]
    if generator is not None:
        state["seed_generator_state"] = keras.ops.convert_to_numpy(generator.state.value).copy()
    if keras.backend.backend() == "tensorflow":
        from tensorflow.python.eager import context
        from tensorflow.python.framework import config as tf_config

        ctx = context.context()
        state["tf_seed"] = getattr(ctx, "_seed", None)
        rng = getattr(ctx, "_rng", None)
        state["tf_rng"] = rng.getstate() if rng is not None else None
        state["determinism"] = tf_config.is_op_determinism_enabled()
    return state


def _restore_keras(state: dict[str, Any]) -> None:
    if not state:
        return
    import keras
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED

    if keras.config.dtype_policy().name != state["policy"].name:
        keras.config.set_dtype_policy(state["policy"])
    global_state.set_global_attribute(GLOBAL_RANDOM_SEED, state["keras_seed"])
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, state["seed_generator"])
    if "seed_generator_state" in state:
        state["seed_generator"].state.assign(state["seed_generator_state"])
    if "tf_seed" in state:
        import random as stdlib_random

        from tensorflow.python.eager import context
        from tensorflow.python.framework import config as tf_config

        ctx = context.context()
        if getattr(ctx, "_seed", None) != state["tf_seed"]:
            ctx._seed = state["tf_seed"]  # what tf.random.set_seed keeps, without clearing TensorFlow's kernel cache
        if state["tf_rng"] is None:
            if hasattr(ctx, "_rng"):
                ctx._rng = None
        else:
            ctx._rng = stdlib_random.Random()
            ctx._rng.setstate(state["tf_rng"])
        if tf_config.is_op_determinism_enabled() != state["determinism"]:
            (tf_config.enable_op_determinism if state["determinism"] else tf_config.disable_op_determinism)()


def _model_state(model: Any) -> list[tuple[Any, np.ndarray]]:
    """The model's non-trainable variables (BatchNorm's moving statistics) and their values."""
    if model is None:
        return []
    import keras

    return [(v, keras.ops.convert_to_numpy(v.value).copy()) for v in model.non_trainable_variables]


@contextmanager
def caller_state(model: Any = None) -> Iterator[None]:
    """Put the caller's random states, seeds, dtype policy, op determinism and ``model``'s state back on exit."""
    python_state = random.getstate()
    numpy_state = np.random.get_state()
    keras_state = _keras_state()
    variables = _model_state(model)
    try:
        yield
    finally:
        for variable, value in variables:
            variable.assign(value)
        if not keras_state and "keras" in sys.modules:  # Keras started during the call: its seeds start unset
            keras_state = _fresh_keras_state()
        _restore_keras(keras_state)
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def _fresh_keras_state() -> dict[str, Any]:
    """The state a process that has just imported Keras would have (no seed set, float32, no determinism)."""
    import keras

    state: dict[str, Any] = {"policy": keras.DTypePolicy("float32"), "keras_seed": None, "seed_generator": None}
    if keras.backend.backend() == "tensorflow":
        state.update(tf_seed=None, tf_rng=None, determinism=False)
    return state
