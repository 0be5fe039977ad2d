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
    assert result.environment["model_outputs"] == "probabilities (softmax)"
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
    assert result.environment["model_outputs"] == "scores (a softmax applied once)"
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
