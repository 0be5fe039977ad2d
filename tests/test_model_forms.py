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


@pytest.fixture(scope="module")
def keras2_h5(tmp_path_factory):
    """(path, tf_keras model): a Keras 2 classifier with BatchNorm (moving statistics away from 0 and 1), saved as .h5
    by tf_keras itself."""
    tf_keras = pytest.importorskip("tf_keras")
    layers = tf_keras.layers
    tf_keras.utils.set_random_seed(8)
    probe = tf_keras.initializers.RandomNormal(stddev=1e-3, seed=2)
    model = tf_keras.Sequential([tf_keras.Input((*SIZE, 3)), layers.Rescaling(1 / 255), layers.Conv2D(4, 3),
                                 layers.BatchNormalization(), layers.Flatten(),
                                 layers.Dense(10, activation="softmax", kernel_initializer=probe)])
    model.layers[2].moving_mean.assign(np.full(4, 0.2, np.float32))
    model.layers[2].moving_variance.assign(np.full(4, 1.7, np.float32))
    path = tmp_path_factory.mktemp("keras2") / "keras2.h5"
    model.save(str(path))
    return str(path), model


def test_a_keras2_h5_read_by_keras3_gives_keras2s_own_predict(photo, keras2_h5):
    path, model = keras2_h5
    expected = model.predict(tool_input(photo, path), verbose=0)[0]
    result = run_experiment(ExperimentConfig(image=photo, model=path, passes=2))
    assert "Keras 2 .h5 read by Keras 3" in result.environment.model
    assert np.allclose(result.probabilities, expected, rtol=1e-5, atol=1e-7)
    assert not np.allclose(expected, np.full(10, 0.1), atol=1e-4)  # the probe's output is not flat


def test_a_keras2_h5_read_by_tf_keras_needs_trust_and_gives_its_own_predict(photo, keras2_h5):
    path, model = keras2_h5
    with pytest.raises(UntrustedModelError, match=r"\.h5 file read by tf_keras \(Keras 2\)"):
        run_experiment(ExperimentConfig(image=photo, model=path, passes=1, h5_reader="tf-keras"))
    result = run_experiment(ExperimentConfig(image=photo, model=path, passes=2, h5_reader="tf-keras", trust_model=True))
    assert "read by tf_keras 2." in result.environment.model
    assert np.allclose(result.probabilities, model.predict(tool_input(photo, path), verbose=0)[0], rtol=1e-5, atol=1e-7)
    assert result.config.to_dict()["h5_reader"] == "tf-keras"  # what reproduce needs to read the file the same way


def test_a_lambda_layer_is_refused_before_tf_keras_reads_the_file(photo, tmp_path, monkeypatch):
    tf_keras = pytest.importorskip("tf_keras")
    model = tf_keras.Sequential([tf_keras.Input((*SIZE, 3)), tf_keras.layers.Lambda(lambda x: x * 2.0),
                                 tf_keras.layers.Flatten(), tf_keras.layers.Dense(3, activation="softmax")])
    path = str(tmp_path / "lambda.h5")
    model.save(path)
    monkeypatch.setattr(tf_keras.models, "load_model", lambda *a, **k: pytest.fail("tf_keras read a Lambda file"))
    with pytest.raises(ModelError, match="contains a Lambda layer"):
        run_experiment(ExperimentConfig(image=photo, model=path, passes=1, h5_reader="tf-keras", trust_model=True))
    with pytest.raises(ModelError, match="Lambda layer or other Python code"):
        run_experiment(ExperimentConfig(image=photo, model=path, passes=1))


def test_the_cli_runs_a_saved_model_folder_only_with_trust_and_reproducing_asks_again(capsys, photo, tmp_path):
    from vggcompare.cli import main

    marker = tmp_path / "written-by-the-graph.txt"
    folder = tmp_path / "serving"
    _writing_saved_model(folder, marker)
    out = tmp_path / "result.json"
    assert main(["run", photo, "--model", str(folder), "--passes", "2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--trust-model" in err and not marker.exists()
    assert main(["run", photo, "--model", str(folder), "--passes", "2", "--quiet", "--trust-model", "--out", str(out)]) == 0
    assert "signature serving_default" in capsys.readouterr().out and marker.exists()
    marker.unlink()
    assert main(["reproduce", str(out), "--allow-model", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "SavedModel folder" in err and "--trust-model" in err and not marker.exists()
    assert main(["reproduce", str(out), "--allow-model", "--trust-model", "--quiet"]) == 0
    assert "Bit-identical: yes" in capsys.readouterr().out and marker.exists()


def test_a_checkup_of_a_saved_model_says_which_causes_do_not_apply(photo, exported):
    from sweep_helpers import drive

    from vggcompare.core.studies.checkup import MEASURED, run_checkup

    folder, _model = exported
    checkup = drive(run_checkup(ExperimentConfig(image=photo, model=folder, seeding="once", trust_model=True),
                                new_processes=False))[0]
    rows = {r.cause: r for r in checkup.rows}
    assert rows["training mode"].reason.startswith("training mode does not apply to a SavedModel folder")
    assert rows["dropout"].reason.startswith("dropout at inference does not apply to a SavedModel folder")
    assert rows["precision"].reason.startswith("a bfloat16 copy does not apply")
    assert "not an .h5 file" in rows["Keras 2 against Keras 3"].reason
    assert rows["batch size"].status == MEASURED


def test_a_checkup_measures_keras2_against_keras3_on_the_same_h5(photo, keras2_h5):
    from sweep_helpers import drive

    from vggcompare.core.studies.checkup import MEASURED, run_checkup

    path, _model = keras2_h5
    untrusted = drive(run_checkup(ExperimentConfig(image=photo, model=path, seeding="once"), new_processes=False))[0]
    assert "--trust-model" in {r.cause: r for r in untrusted.rows}["Keras 2 against Keras 3"].reason
    trusted = drive(run_checkup(ExperimentConfig(image=photo, model=path, seeding="once", trust_model=True),
                                new_processes=False))[0]
    row = {r.cause: r for r in trusted.rows}["Keras 2 against Keras 3"]
    assert row.status == MEASURED and row.setting == "tf_keras (Keras 2) instead of Keras 3"
    assert row.largest_change < 1e-5  # the same weights and layers: Keras 2 and Keras 3 agree on this file


def test_the_python_api_runs_a_saved_model_folder_only_with_trust_model(photo, tmp_path):
    import vggcompare

    marker = tmp_path / "written-by-the-graph.txt"
    folder = tmp_path / "serving"
    _writing_saved_model(folder, marker)
    with pytest.raises(UntrustedModelError):
        vggcompare.run(str(folder), photo, passes=1, progress=False)
    assert not marker.exists()
    result = vggcompare.run(str(folder), photo, passes=1, progress=False, trust_model=True)
    assert marker.exists() and result.probabilities.shape == (1, 4)
