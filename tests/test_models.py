"""Users' model files: loaded in safe mode, checked, and refused with one sentence when unusable."""

from __future__ import annotations

import numpy as np
import pytest

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.passes.engine import run_experiment
from vggcompare.core.errors import ModelError
from vggcompare.core.model.user_models import load_user_model


def _save(model, path):
    model.save(path)
    return str(path)


def run(model_path, photo, **kw):
    return run_experiment(ExperimentConfig(image=photo, model=model_path, passes=2, **kw))


def test_model_whose_input_is_not_an_image_is_refused(photo, tmp_path):
    import keras

    m = keras.Sequential([keras.Input((20,)), keras.layers.Dense(3, activation="softmax")])
    with pytest.raises(ModelError, match="not an RGB image"):
        run(_save(m, tmp_path / "vector.keras"), photo)


def test_model_with_one_channel_input_is_refused(photo, tmp_path):
    import keras

    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")])
    with pytest.raises(ModelError, match="8×8×1"):
        run(_save(m, tmp_path / "grey.keras"), photo)


def test_model_whose_output_is_not_a_class_vector_is_refused(photo, tmp_path):
    import keras

    m = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(2, 3)])
    with pytest.raises(ModelError, match="not a vector of class scores"):
        run(_save(m, tmp_path / "seg.keras"), photo)


def test_garbage_with_a_keras_name_is_refused(tmp_path):
    bad = tmp_path / "fake.keras"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(ModelError, match="could not be loaded as a Keras model"):
        load_user_model(str(bad))
    text = tmp_path / "notes.keras"
    text.write_text("just some text")
    with pytest.raises(ModelError, match="damaged or not a Keras model"):
        load_user_model(str(text))


def test_sigmoid_outputs_are_kept_as_probabilities(photo, tmp_path):
    import keras

    small = keras.initializers.RandomNormal(stddev=1e-4, seed=1)  # seeded, unsaturated: three outputs near 0.5, never one 1 and two 0s
    m = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(),
                          keras.layers.Dense(3, activation="sigmoid", kernel_initializer=small)])
    r = run(_save(m, tmp_path / "multilabel.keras"), photo)
    assert not any("softmax" in n for n in r.notes)
    assert not np.allclose(r.probabilities.sum(axis=1), 1.0)


def test_legacy_h5_model_loads_and_runs(photo, tmp_path):
    import keras

    m = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Flatten(), keras.layers.Dense(4, activation="softmax")])
    path = tmp_path / "legacy.h5"
    m.save(path)
    r = run(str(path), photo)
    assert r.probabilities.shape == (2, 4) and np.allclose(r.probabilities.sum(axis=1), 1, atol=1e-5)
    assert r.labels == ["class 0", "class 1", "class 2", "class 3"]


def test_unknown_custom_layer_is_refused_with_a_sentence(tmp_path):
    import keras

    @keras.saving.register_keras_serializable(package="vggtest")
    class Doubler(keras.layers.Layer):
        def call(self, x):
            return x * 2

    m = keras.Sequential([keras.Input((4, 4, 3)), Doubler(), keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")])
    path = tmp_path / "custom.keras"
    m.save(path)
    keras.saving.get_custom_objects().pop("vggtest>Doubler", None)
    with pytest.raises(ModelError, match="custom layer|could not be loaded"):
        load_user_model(str(path))
