"""Models built the way Keras' guides build them: a base model nested as one layer, augmentation and Rescaling
layers in front, a softmax or a logits head. The tool's numbers are checked against the model's own predict."""

from __future__ import annotations

import numpy as np
import pytest

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.input.images import load_image
from vggcompare.core.input.loaders import loader_input
from vggcompare.core.passes.engine import run_experiment

SIZE = (32, 32)


def imagenet_shaped(activation: str | None = "softmax", name: str = "tiny_mobilenet"):
    """A tiny MobileNet-like classifier with a 1000-way head, small random weights (probabilities well spread)."""
    import keras
    from keras import layers

    inputs = keras.Input((*SIZE, 3))
    x = layers.Conv2D(8, 3, strides=2, padding="same", name="conv1")(inputs)
    x = layers.BatchNormalization(name="conv1_bn")(x)
    x = layers.ReLU(6.0, name="conv1_relu")(x)
    x = layers.DepthwiseConv2D(3, padding="same", name="conv_dw")(x)
    x = layers.Conv2D(16, 1, name="conv_pw")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    head = keras.initializers.RandomNormal(stddev=1.0, seed=7)
    x = layers.Dense(1000, kernel_initializer=head, name="predictions")(x)
    if activation:
        x = layers.Activation(activation, name="probabilities")(x)
    return keras.Model(inputs, x, name=name)


def guide_model(front=("flip", "rotation"), activation: str | None = "softmax"):
    """The guides' shape: augmentation (and Rescaling) layers, then the base model called as one layer."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(11)
    base = imagenet_shaped(activation)
    inputs = keras.Input((*SIZE, 3))
    x = inputs
    for part in front:
        x = {"flip": lambda: layers.RandomFlip("horizontal"), "rotation": lambda: layers.RandomRotation(0.1),
             "rescaling": lambda: layers.Rescaling(1 / 127.5, offset=-1)}[part]()(x)
    outputs = base(x, training=False)
    return keras.Model(inputs, outputs, name="guide")


def tool_input(photo: str, model_path: str) -> np.ndarray:
    """The batch of one image the tool feeds the model (its loader, no preprocessing for a model file)."""
    picture, _notes = loader_input(load_image(photo), SIZE, ExperimentConfig(model=model_path))
    return picture[None].astype(np.float32)


def top5(p: np.ndarray) -> list[int]:
    return list(np.argsort(-p, kind="stable")[:5])


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z.astype(np.float64) - z.max())
    return e / e.sum()


@pytest.mark.parametrize("front", [("flip", "rotation"), ("rescaling",), ("flip", "rotation", "rescaling")])
def test_nested_softmax_classifier_gives_its_own_predict(photo, tmp_path, front):
    model = guide_model(front)
    path = str(tmp_path / "guide.keras")
    model.save(path)
    expected = model.predict(tool_input(photo, path), verbose=0)[0]
    result = run_experiment(ExperimentConfig(image=photo, model=path, passes=1))
    got = result.probabilities[0]
    assert not any("softmax was applied" in n for n in result.notes)
    assert result.environment.model_outputs == "probabilities (softmax)"
    assert top5(got) == top5(expected)
    assert np.allclose(got, expected, rtol=1e-5, atol=1e-7)
    assert not np.allclose(softmax(expected), expected, rtol=1e-5, atol=1e-7)  # a second softmax would be seen


def test_nested_logits_head_gets_one_softmax(photo, tmp_path):
    model = guide_model(("rescaling",), activation=None)
    path = str(tmp_path / "logits.keras")
    model.save(path)
    expected = softmax(model.predict(tool_input(photo, path), verbose=0)[0])
    result = run_experiment(ExperimentConfig(image=photo, model=path, passes=1))
    assert any("softmax was applied" in n for n in result.notes)
    assert result.environment.model_outputs == "scores (a softmax applied once)"
    assert top5(result.probabilities[0]) == top5(expected)
    assert np.allclose(result.probabilities[0], expected, rtol=1e-5, atol=1e-7)


def test_probabilities_behind_a_last_layer_that_is_not_a_softmax_are_kept_and_the_run_says_why(photo, tmp_path):
    import keras

    inner = guide_model(("rescaling",))
    inputs = keras.Input((*SIZE, 3))
    model = keras.Model(inputs, keras.layers.Identity(name="served")(inner(inputs)))
    path = str(tmp_path / "identity.keras")
    model.save(path)
    expected = model.predict(tool_input(photo, path), verbose=0)[0]
    result = run_experiment(ExperimentConfig(image=photo, model=path, passes=1))
    assert any("not a softmax, but its float32 outputs are non-negative and sum to 1" in n for n in result.notes)
    assert np.allclose(result.probabilities[0], expected, rtol=1e-5, atol=1e-7)


def test_bfloat16_keeps_the_float32_decision(photo, tmp_path):
    from vggcompare.core.model.prepare import prepare_model

    model = guide_model(("flip", "rotation"))
    path = str(tmp_path / "guide.keras")
    model.save(path)
    prepared = prepare_model(ExperimentConfig(model=path, precision="bfloat16"))
    assert not prepared.softmax_applied and prepared.outputs.probabilities
    expected = model.predict(tool_input(photo, path), verbose=0)[0]
    result = run_experiment(ExperimentConfig(image=photo, model=path, passes=1, precision="bfloat16"))
    assert top5(result.probabilities[0])[:1] == top5(expected)[:1]
    assert np.abs(result.probabilities[0] - expected).max() < 0.2 * expected.max()


def test_training_mode_verdict_names_the_models_augmentation_layers_and_does_not_blame_numerics(photo, tmp_path):
    model = guide_model(("flip", "rotation"))
    path = str(tmp_path / "guide.keras")
    model.save(path)
    result = run_experiment(ExperimentConfig(image=photo, model=path, passes=4, batch_size=4, training_mode=True,
                                             seeding="once"))
    assert result.environment.augmentation_layers_in_model == (
        "RandomFlip (flips the image left to right at random)", "RandomRotation (rotates the image by a random angle from -36° to +36°)")
    assert "augmentation layers, active because it was called with training=True: RandomFlip" in result.verdict
    assert "floating-point numerics" not in result.verdict and "No random source" not in result.verdict
    note = next(n for n in result.notes if n.startswith("Called with training=True"))
    assert "BatchNorm layers (1)" in note and "augmentation layers inside the model (2: RandomFlip" in note
    assert any("augmentation layer(s) (RandomFlip" in n for n in result.notes if n.startswith("Training mode made"))


def test_inference_verdict_does_not_count_the_models_augmentation_layers(photo, tmp_path):
    model = guide_model(("flip", "rotation"))
    path = str(tmp_path / "guide.keras")
    model.save(path)
    result = run_experiment(ExperimentConfig(image=photo, model=path, passes=2, seeding="once"))
    assert "augmentation layers" not in result.verdict
    assert "bit-identical" in result.verdict


def _saved_guide(tmp_path, front=("flip", "rotation")):
    model = guide_model(front)
    path = str(tmp_path / "guide.keras")
    model.save(path)
    return path


def test_the_models_augmentation_layers_are_keyed_per_pass_so_a_seeded_run_repeats(photo, tmp_path):
    path = _saved_guide(tmp_path)
    config = ExperimentConfig(image=photo, model=path, passes=4, batch_size=4, training_mode=True,
                              training_part="augmentation", seeding="once", seed=5)
    first = run_experiment(config)
    again = run_experiment(config)
    in_twos = run_experiment(config.replace(batch_size=2))
    other_seed = run_experiment(config.replace(seed=6))
    assert np.array_equal(first.probabilities, again.probabilities)
    assert np.allclose(first.probabilities, in_twos.probabilities, rtol=1e-5, atol=1e-7)  # a pass's draw is its own
    assert not np.allclose(first.probabilities, other_seed.probabilities, atol=1e-6)
    assert len({row.tobytes() for row in first.probabilities}) == 4  # each pass its own transform
    assert any(n.startswith("Called with training=False and only the model's augmentation layers (2: RandomFlip")
               for n in first.notes)
    assert "augmentation layers, active because it was called with training=True" in first.verdict


def test_the_batchnorm_part_keeps_the_augmentation_layers_off(photo, tmp_path):
    path = _saved_guide(tmp_path, ("flip", "rotation", "rescaling"))
    config = ExperimentConfig(image=photo, model=path, passes=3, batch_size=3, training_mode=True,
                              training_part="batchnorm", seeding="once")
    result = run_experiment(config)
    assert np.array_equal(result.probabilities[0], result.probabilities[1])  # same input, no augmentation drawn
    assert "augmentation layers" not in result.verdict


def test_dropout_inside_a_nested_model_is_keyed_for_mc_dropout(photo, tmp_path):
    import keras
    from keras import layers

    from vggcompare.core.model.prepare import prepare_model

    keras.utils.set_random_seed(4)
    inner = keras.Sequential([keras.Input((*SIZE, 3)), layers.Flatten(), layers.Dense(32, activation="relu"),
                              layers.Dropout(0.5), layers.Dense(10, activation="softmax")], name="inner")
    inputs = keras.Input((*SIZE, 3))
    model = keras.Model(inputs, inner(layers.Rescaling(1 / 255)(inputs)))
    path = str(tmp_path / "nested_dropout.keras")
    model.save(path)
    assert prepare_model(ExperimentConfig(model=path, dropout=0.5)).dropout_layers == 1
    config = ExperimentConfig(image=photo, model=path, passes=4, dropout=0.5, seeding="once")
    result = run_experiment(config)
    assert len({row.tobytes() for row in result.probabilities}) == 4
    assert np.array_equal(result.probabilities, run_experiment(config).probabilities)


def test_a_checkup_measures_the_augmentation_layers_inside_the_model(photo, tmp_path):
    from vggcompare.core.studies.checkup import MEASURED, run_checkup
    from sweep_helpers import drive

    path = _saved_guide(tmp_path)
    checkup = drive(run_checkup(ExperimentConfig(image=photo, model=path, seeding="once"), new_processes=False))[0]
    rows = {r.cause: r for r in checkup.rows}
    row = rows["augmentation layers inside the model"]
    assert row.setting == "active because it was called with training=True"
    assert row.status == MEASURED and row.largest_change > 0
    assert rows["training mode"].status == MEASURED
    assert "no Rescaling or Normalization layer" in rows["preprocessed outside and again inside the model"].reason


def test_a_checkup_measures_preprocessing_outside_and_again_inside_the_model(photo, tmp_path):
    from sweep_helpers import drive

    from vggcompare.core.studies.checkup import MEASURED, run_checkup

    path = _saved_guide(tmp_path, ("rescaling",))
    checkup = drive(run_checkup(ExperimentConfig(image=photo, model=path, seeding="once"), new_processes=False))[0]
    row = {r.cause: r for r in checkup.rows}["preprocessed outside and again inside the model"]
    assert row.status == MEASURED and row.largest_change > 1e-6
    assert checkup.runs[row.cause].config.preprocess == "tf"


def test_the_run_says_which_preprocessing_the_model_does_and_when_the_input_is_preprocessed_twice(photo, tmp_path):
    path = _saved_guide(tmp_path, ("rescaling",))
    raw = run_experiment(ExperimentConfig(image=photo, model=path, passes=1))
    assert raw.environment.preprocessing_in_model == ("Rescaling (×0.007843, -1 added)",)
    assert "The model preprocesses its input inside: Rescaling (×0.007843, -1 added)." in raw.notes
    assert not any("preprocessed twice" in n for n in raw.notes)
    twice = run_experiment(ExperimentConfig(image=photo, model=path, passes=1, preprocess="tf"))
    assert any(n.startswith("Note: the input is preprocessed twice: outside (tf mode") for n in twice.notes)
    assert "preprocessed twice" in twice.verdict
    assert not np.allclose(twice.probabilities, raw.probabilities, atol=1e-6)


def test_normalization_inside_a_nested_base_is_named_with_its_numbers():
    import keras

    from vggcompare.core.model.layer_kinds import preprocessing_layers

    inner_in = keras.Input((*SIZE, 3))
    norm = keras.layers.Normalization(mean=[123.7, 116.3, 103.5], variance=[3410.0, 3263.0, 3292.0])
    inner = keras.Model(inner_in, keras.layers.GlobalAveragePooling2D()(norm(inner_in)), name="convnext_like")
    inputs = keras.Input((*SIZE, 3))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inner(inputs)))
    assert preprocessing_layers(model) == ["Normalization (− mean [123.7, 116.3, 103.5], ÷ std [58.4, 57.12, 57.38])"]
