"""A SavedModel folder and a Keras 2 .h5 file as the user's model: the numbers equal the model's own predict, and a
form that is a program runs only when the user trusts it (nothing of it runs otherwise)."""

from __future__ import annotations

import numpy as np
import pytest

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ModelError
from vggcompare.core.input.images import load_image
from vggcompare.core.input.loaders import loader_input
from vggcompare.core.model.trust import UntrustedModelError
from vggcompare.core.passes.engine import run_experiment

SIZE = (16, 16)


def tool_input(photo: str, model: str) -> np.ndarray:
    picture, _notes = loader_input(load_image(photo), SIZE, ExperimentConfig(model=model))
    return picture[None].astype(np.float32)


def _keras3_classifier():
    import keras
    from keras import layers

    keras.utils.set_random_seed(21)
    probe = keras.initializers.RandomNormal(stddev=1e-3, seed=2)  # every pixel moves the output (STYLE.md's probe)
    return keras.Sequential([keras.Input((*SIZE, 3)), layers.Rescaling(1 / 255), layers.Conv2D(4, 3),
                             layers.BatchNormalization(), layers.Flatten(),
                             layers.Dense(10, activation="softmax", kernel_initializer=probe)])


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """(folder, model): a Keras model exported as a SavedModel (model.export), as a TF Serving user holds it."""
    model = _keras3_classifier()
    folder = tmp_path_factory.mktemp("export") / "classifier"
    model.export(str(folder), verbose=False)
    return str(folder), model


def _writing_saved_model(folder, marker):
    """A SavedModel whose serving_default signature writes ``marker`` when it is called (a graph is a program)."""
    import tensorflow as tf

    class Writer(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(tf.random.stateless_normal([SIZE[0] * SIZE[1] * 3, 4], seed=[1, 2], stddev=1e-3))

        @tf.function(input_signature=[tf.TensorSpec([None, *SIZE, 3], tf.float32)])
        def serving(self, x):
            tf.io.write_file(str(marker), "the graph ran")
            return {"probabilities": tf.nn.softmax(tf.matmul(tf.reshape(x, [-1, SIZE[0] * SIZE[1] * 3]), self.w))}

    module = Writer()
    tf.saved_model.save(module, str(folder), signatures={"serving_default": module.serving})


def test_an_exported_saved_model_gives_its_own_predict_when_trusted(photo, exported):
    folder, model = exported
    result = run_experiment(ExperimentConfig(image=photo, model=folder, passes=2, trust_model=True))
    expected = model.predict(tool_input(photo, folder), verbose=0)[0]
    assert np.allclose(result.probabilities, expected, rtol=1e-5, atol=1e-7)
    assert "SavedModel, signature serve" in result.environment.model
    assert not any("softmax was applied" in n for n in result.notes)
    assert "trust_model" not in result.config.to_dict()


def test_a_saved_model_is_refused_without_trust_and_nothing_of_it_runs(photo, tmp_path):
    marker = tmp_path / "written-by-the-graph.txt"
    folder = tmp_path / "serving"
    _writing_saved_model(folder, marker)
    assert not marker.exists()
    with pytest.raises(UntrustedModelError, match="SavedModel folder, which TensorFlow runs as a program"):
        run_experiment(ExperimentConfig(image=photo, model=str(folder), passes=1))
    assert not marker.exists()
    result = run_experiment(ExperimentConfig(image=photo, model=str(folder), passes=1, trust_model=True))
    assert marker.read_text() == "the graph ran"
    assert "signature serving_default" in result.environment.model
    assert np.allclose(result.probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_settings_that_need_keras_layers_do_not_apply_to_a_saved_model(photo, exported):
    folder, _model = exported
    for change, words in (({"training_mode": True}, "training mode does not apply to a SavedModel folder"),
                          ({"dropout": 0.5}, "dropout at inference does not apply"),
                          ({"precision": "bfloat16"}, "bfloat16 copy does not apply"),
                          ({"explain": "gradcam"}, "Grad-CAM does not apply to a SavedModel folder")):
        with pytest.raises(ModelError, match=words):
            run_experiment(ExperimentConfig(image=photo, model=folder, passes=1, trust_model=True, **change))


def test_a_file_cannot_grant_trust():
    data = ExperimentConfig(model="x.h5", h5_reader="tf-keras", trust_model=True).to_dict()
    assert "trust_model" not in data and data["h5_reader"] == "tf-keras"
    assert ExperimentConfig.from_dict({**data, "trust_model": True}).trust_model is False
