"""The engine's seeding: keras.utils.set_random_seed's effect, without clearing TensorFlow's kernel cache each run."""

from __future__ import annotations

import random

import numpy as np

from vggcompare.core.model.backend import import_tensorflow, set_random_seed


def _draws():
    import keras

    return (random.random(), float(np.random.random()), np.asarray(keras.random.uniform((4,))).tolist())


def test_the_same_seed_twice_gives_the_same_draws_as_keras_own_call():
    import keras

    import_tensorflow()
    keras.utils.set_random_seed(7)
    theirs = _draws()
    for seed in (7, 7, 3, 7):  # set again with the same seed, after another seed, and after draws
        set_random_seed(seed)
        mine = _draws()
        assert (mine == theirs) == (seed == 7)
    set_random_seed(3)
    keras.utils.set_random_seed(3)
    other = _draws()
    set_random_seed(3)
    assert _draws() == other


def test_an_unchanged_seed_keeps_tensorflows_caches():
    import tensorflow as tf
    from tensorflow.python.eager import context

    import_tensorflow()
    set_random_seed(11)
    cleared = []
    real = context.context()._set_global_seed
    context.context()._set_global_seed = lambda seed: (cleared.append(seed), real(seed))
    try:
        set_random_seed(11)
        assert cleared == []
        set_random_seed(12)
        assert cleared == [12] and tf.random.get_global_generator() is not None
    finally:
        del context.context()._set_global_seed
