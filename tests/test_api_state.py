"""The Python API leaves the caller's process as it found it: random states and seeds (Python, NumPy, TensorFlow,
Keras), the dtype policy, op determinism, and the model's BatchNorm moving statistics."""

from __future__ import annotations

import random

import numpy as np
import pytest

from tests.api_helpers import batchnorm_model, probe_model


@pytest.fixture(scope="module")
def vc():
    import vggcompare

    return vggcompare


def snapshot(model) -> dict:
    import keras
    from keras.src.utils.rng_utils import get_random_seed
    from tensorflow.python.eager import context
    from tensorflow.python.framework import config as tf_config

    return {
        "python": random.getstate(),
        "numpy": np.random.get_state()[1].copy(),
        "numpy_pos": np.random.get_state()[2],
        "keras_seed": get_random_seed(),
        "tf_seed": context.context()._seed,
        "policy": keras.config.dtype_policy().name,
        "determinism": tf_config.is_op_determinism_enabled(),
        "variables": [keras.ops.convert_to_numpy(v.value).copy() for v in model.non_trainable_variables],
    }


def assert_same(before: dict, after: dict) -> None:
    assert after["python"] == before["python"]
    assert np.array_equal(after["numpy"], before["numpy"]) and after["numpy_pos"] == before["numpy_pos"]
    for key in ("keras_seed", "tf_seed", "policy", "determinism"):
        assert after[key] == before[key], key
    assert len(after["variables"]) == len(before["variables"]) > 0
    for a, b in zip(after["variables"], before["variables"]):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("settings", [
    {"seeding": "once", "seed": 5, "augment": True},
    {"seeding": "every-pass", "training_mode": True, "batch_size": 2},
    {"dropout": 0.5, "seeding": 9},
    {"precision": "bfloat16", "deterministic_ops": True, "seeding": "once"},
])
def test_a_run_restores_the_callers_state(vc, photo, settings):
    import keras

    model = batchnorm_model()
    keras.utils.set_random_seed(77)
    random.random(), np.random.random()  # move the streams off their seeded start
    before = snapshot(model)
    vc.run(model, photo, passes=3, progress=False, **settings)
    assert_same(before, snapshot(model))
    expected = random.Random()
    expected.setstate(before["python"])
    assert random.random() == expected.random()  # the caller's stream continues where it was


def test_training_mode_moves_batchnorm_statistics_inside_the_run_only(vc, photo):
    """The check above can fail: a training-mode call of this model does move its moving statistics."""
    import keras

    model = batchnorm_model()
    before = [keras.ops.convert_to_numpy(v.value).copy() for v in model.non_trainable_variables]
    model(np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32"), training=True)
    after = [keras.ops.convert_to_numpy(v.value) for v in model.non_trainable_variables]
    assert any(not np.array_equal(a, b) for a, b in zip(before, after))


def test_a_checkup_restores_the_callers_state(vc, photo):
    import keras

    model = batchnorm_model()
    keras.utils.set_random_seed(12)
    keras.config.set_dtype_policy("float32")
    before = snapshot(model)
    vc.checkup(model, photo, new_processes=False, progress=False)
    assert_same(before, snapshot(model))


def test_compare_pipelines_restores_the_callers_state(vc, photo):
    import keras

    model, other = probe_model(), batchnorm_model()
    keras.utils.set_random_seed(21)
    before = snapshot(other)
    vc.compare_pipelines(model, photo, training=lambda p: np.zeros((32, 32, 3), np.float32),
                         serving=lambda p: np.ones((32, 32, 3), np.float32))
    assert_same(before, snapshot(other))
