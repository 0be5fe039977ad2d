"""New weights in place: Glorot-uniform bounds, keyed by the seed, zeros for biases."""

from __future__ import annotations

import math

import numpy as np

from vggcompare.core.model.reinit import BLOCK, reinitialise


def _model():
    import keras

    return keras.Sequential([keras.Input((300,)), keras.layers.Dense(4000), keras.layers.Dense(7, bias_initializer="ones")])


def test_new_weights_follow_the_initialiser_and_the_seed():
    m = _model()
    buffers: dict = {}
    reinitialise(m, (1, 2), buffers)
    k1 = m.layers[0].kernel.numpy().copy()
    limit = math.sqrt(6 / (300 + 4000))
    assert k1.size > BLOCK  # several generator blocks
    assert np.abs(k1).max() <= limit and np.abs(k1).max() > 0.99 * limit
    assert abs(float(k1.mean())) < 0.01 * limit
    assert (m.layers[0].bias.numpy() == 0).all()
    assert (m.layers[1].bias.numpy() == 1).all()  # another initialiser takes Keras' own path
    reinitialise(m, (1, 2), buffers)
    assert np.array_equal(m.layers[0].kernel.numpy(), k1)  # same seed, same weights
    reinitialise(m, (1, 3), buffers)
    assert not np.array_equal(m.layers[0].kernel.numpy(), k1)


def test_staging_buffers_are_reused_not_reallocated():
    m = _model()
    buffers: dict = {}
    reinitialise(m, (5,), buffers)
    first = {k: v.ctypes.data for k, v in buffers.items()}
    reinitialise(m, (6,), buffers)
    assert {k: v.ctypes.data for k, v in buffers.items()} == first
    assert all(v.ctypes.data % 64 == 0 for v in buffers.values())  # TensorFlow's DLPack alignment
