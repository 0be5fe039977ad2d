"""Explanation maps: Grad-CAM equals an independent implementation (TensorFlow and JAX), occlusion lights
only what the model reads, seeding repeats the maps, and bad input gets one sentence."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from vggcompare.core.analysis.explanation import grid_boxes, mass_inside, upsample
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, ModelError
from vggcompare.core.input import augment as aug
from vggcompare.core.input.images import load_image
from vggcompare.core.input.model_view import model_input
from vggcompare.core.passes.engine import run_experiment
from vggcompare.core.storage.result_file import load_result, save_result


def _pass_inputs(config: ExperimentConfig, k: int) -> np.ndarray:
    """The first k passes' model inputs, made again from the run's seed (the input pipeline is tested elsewhere)."""
    picture = model_input(load_image(config.image), (32, 32), config.interpolation, config.pitfalls)
    augmenter = aug.PassAugmenter(config.augment, config.seed, config.seeding) if config.augment.enabled else None
    return aug.model_batch(augmenter, picture, range(k), config.effective_preprocess, config.pitfalls)[0]


def _independent_gradcam(path: str, x: np.ndarray, index: int) -> np.ndarray:
    """Grad-CAM written out layer by layer for the tiny Conv2D-GAP-Dense-Dense models, eagerly with a tape."""
    import keras
    import tensorflow as tf

    model = keras.models.load_model(path, safe_mode=True)
    conv, *head = model.layers
    a = conv(tf.constant(x))
    with tf.GradientTape() as tape:
        tape.watch(a)
        y = a
        for layer in head:
            y = layer(y)
        score = tf.reduce_sum(y[:, index])
    g = tape.gradient(score, a).numpy()
    cams = np.maximum(np.einsum("bhwk,bk->bhw", a.numpy(), g.mean(axis=(1, 2))), 0)
    maps = np.stack([upsample(c, (32, 32)) for c in cams])
    peak = maps.reshape(len(maps), -1).max(axis=1)
    return maps / np.where(peak > 0, peak, 1)[:, None, None]  # a map with no positive part stays 0


@pytest.fixture(scope="module")
def cam_models(tmp_path_factory):
    """Conv2D(8)-GAP-Dense(16)-Dense(10) classifiers, softmax and logits, whose Grad-CAM maps have a shape
    for several classes (a random model's ReLU leaves some classes' maps empty; the tests pick others)."""
    import keras
    from keras import layers

    folder, out = tmp_path_factory.mktemp("cam"), {}
    for name, activation in (("plain", "softmax"), ("logits", None)):
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(8, 3, activation="relu"), layers.GlobalAveragePooling2D(),
                                  layers.Dense(16, activation="relu"), layers.Dense(10, activation=activation)])
        model.save(folder / f"{name}.keras")
        out[name] = str(folder / f"{name}.keras")
        if name == "plain":  # the same classifier nested as one layer, as Keras' transfer-learning guide builds it
            inputs = keras.Input((32, 32, 3))
            keras.Model(inputs, model(inputs, training=False)).save(folder / "nested.keras")
            out["nested"] = str(folder / "nested.keras")
    return out


def _augmented(tiny_models, photo, which="plain") -> ExperimentConfig:
    return ExperimentConfig(image=photo, model=tiny_models[which], passes=6, seeding="once", seed=7,
                            explain="gradcam").replace(augment={"enabled": True})


def _structured_classes(path: str, x: np.ndarray) -> list[int]:
    """The classes whose independent maps have a shape in every pass (a random tiny model's ReLU zeroes some)."""
    return [c for c in range(10) if np.ptp(_independent_gradcam(path, x, c), axis=(1, 2)).min() > 0.5]


@pytest.mark.parametrize("which", ["plain", "logits", "nested"])
def test_gradcam_equals_an_independent_implementation_on_tensorflow(cam_models, photo, which):
    config = _augmented(cam_models, photo, which)
    x = _pass_inputs(config, 6)
    layered = cam_models["plain" if which == "nested" else which]  # the nested model's inner layers, one by one
    mine, other = _structured_classes(layered, x)[:2]
    e = run_experiment(config.replace(explain_class=str(mine))).explanation
    want = _independent_gradcam(layered, x, mine)
    assert e.class_index == mine and e.maps.shape == (6, 32, 32) and e.maps.dtype == np.float16 and not e.identical
    np.testing.assert_allclose(e.maps.astype(np.float32), want, atol=2e-3)
    np.testing.assert_allclose(e.mean.astype(np.float32), want.mean(axis=0), atol=2e-3)
    np.testing.assert_allclose(e.std.astype(np.float32), want.std(axis=0), atol=2e-3)
    assert np.abs(_independent_gradcam(layered, x, other) - want).max() > 0.05  # another class is told apart
    assert e.target == ("logit" if which == "logits" else "probability")
    if which == "logits":
        assert any("not a softmax, so the maps explain the score (logit)" in n for n in e.notes)


def test_gradcam_on_jax_equals_the_same_independent_implementation(cam_models, photo, tmp_path):
    pytest.importorskip("jax")
    config = _augmented(cam_models, photo)
    mine = _structured_classes(cam_models["plain"], _pass_inputs(config, 6))[0]
    out = tmp_path / "jax.json"
    cmd = [sys.executable, "-m", "vggcompare", "run", photo, "--model", cam_models["plain"], "--passes", "6", "--backend", "jax",
           "--seeding", "once", "--seed", "7", "--augment", "--explain", "gradcam", "--explain-class", str(mine), "--quiet",
           "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=dict(os.environ, JAX_PLATFORMS="cpu"))
    assert proc.returncode == 0, proc.stderr
    result = load_result(out)
    assert result.environment.backend == "jax" and result.explanation.class_index == mine
    want = _independent_gradcam(cam_models["plain"], _pass_inputs(result.config, 6), mine)
    np.testing.assert_allclose(result.explanation.maps.astype(np.float32), want, atol=2e-3)


@pytest.fixture(scope="module")
def quadrant_model(tmp_path_factory):
    """28×28 input; only the top-left 14×14 quadrant reaches the output (Cropping2D, then Dense)."""
    import keras

    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((28, 28, 3)), keras.layers.Cropping2D(((0, 14), (0, 14))), keras.layers.Flatten(),
                              keras.layers.Dense(4, activation="softmax",
                                                 kernel_initializer=keras.initializers.RandomNormal(stddev=0.003))])
    path = tmp_path_factory.mktemp("quadrant") / "quadrant.keras"
    model.save(path)
    return str(path)


def test_occlusion_on_a_model_that_reads_one_quadrant_lights_only_that_quadrant(quadrant_model, photo):
    config = ExperimentConfig(image=photo, model=quadrant_model, passes=2, seeding="once", explain="occlusion")
    e = run_experiment(config).explanation
    heat = e.mean.astype(np.float32)
    for top, bottom, left, right in grid_boxes((28, 28)):
        patch = np.abs(heat[top:bottom, left:right])
        if top >= 14 or left >= 14:  # the model never reads this patch
            assert patch.max() <= 1e-6
        elif bottom <= 14 and right <= 14:  # wholly inside the quadrant
            assert patch.min() > 1e-4
    assert mass_inside(np.abs(heat), (0, 16, 0, 16)) > 0.999
    assert e.layer == "7×7 grid" and "patch covered" in e.units


def test_seeded_maps_repeat_and_unseeded_augmented_maps_move(cam_models, photo):
    a = run_experiment(_augmented(cam_models, photo).replace(explain_class="2")).explanation
    b = run_experiment(_augmented(cam_models, photo).replace(explain_class="2")).explanation
    assert np.array_equal(a.maps, b.maps) and np.array_equal(a.std, b.std)
    assert float(a.std.max()) > 0.05  # augmentation moves the attention
    c = run_experiment(_augmented(cam_models, photo).replace(seeding="off", explain_class="2")).explanation
    assert not np.array_equal(a.maps, c.maps)


def test_a_bit_identical_run_has_one_map_and_says_so(tiny_models, photo):
    r = run_experiment(ExperimentConfig(image=photo, model=tiny_models["plain"], passes=5, explain="occlusion"))
    e = r.explanation
    assert r.statistics.all_bit_identical and e.identical and e.maps.shape == (1, 32, 32) and e.passes == 5
    assert not e.std.any() and np.array_equal(e.map_of(4), e.maps[0])
    assert any("map was computed once" in n for n in e.notes)


def test_mc_dropout_passes_get_their_own_maps(tiny_models, photo):
    config = ExperimentConfig(image=photo, model=tiny_models["dropout"], passes=4, seeding="once", dropout=0.5,
                              explain="gradcam", explain_passes=3)
    e = run_experiment(config).explanation
    assert e.passes == 3 and e.maps.shape == (3, 32, 32) and not e.identical


def test_a_model_without_a_conv_layer_is_refused_before_the_passes_and_occlusion_works(probe_model, photo):
    config = ExperimentConfig(image=photo, model=probe_model[0], passes=2, explain="gradcam")
    with pytest.raises(ModelError, match="^Grad-CAM needs a convolutional layer; occlusion works"):
        run_experiment(config)
    assert run_experiment(config.replace(explain="occlusion")).explanation.maps.shape == (1, 32, 32)


def test_an_unknown_class_and_options_without_a_method_are_one_sentence(tiny_models, photo):
    with pytest.raises(ConfigError, match="neither one of the model's 10 labels"):
        run_experiment(ExperimentConfig(image=photo, model=tiny_models["plain"], passes=1, explain="gradcam", explain_class="zebra"))
    with pytest.raises(ConfigError, match="needs an explanation method"):
        ExperimentConfig(explain_class="1").validate()
    with pytest.raises(ConfigError, match="from 1 to 256"):
        ExperimentConfig(explain="gradcam", explain_passes=0).validate()


def test_maps_survive_the_result_file_and_older_files_read_without_them(cam_models, tiny_models, photo, tmp_path):
    r = run_experiment(_augmented(cam_models, photo).replace(explain_class="Class 2"))
    assert r.explanation.class_index == 2
    back = load_result(save_result(r, tmp_path / "r.json")).explanation
    assert np.array_equal(back.maps, r.explanation.maps) and np.array_equal(back.std, r.explanation.std)
    assert back.picture_png == r.explanation.picture_png and back.picture_png.startswith(b"\x89PNG")
    assert (back.class_name, back.target, back.passes, back.notes) == ("class 2", "probability", 6, r.explanation.notes)
    plain = run_experiment(ExperimentConfig(image=photo, model=tiny_models["plain"], passes=2))
    doc = json.loads(save_result(plain, tmp_path / "old.json").read_text())
    assert "explanation" not in doc and "explain" not in doc["config"]  # what older versions wrote and read
    assert load_result(tmp_path / "old.json").explanation is None
    doc = json.loads((tmp_path / "r.json").read_text())
    doc["explanation"]["passes"] = 99
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(Exception, match="explanation maps do not belong to its passes"):
        load_result(tmp_path / "bad.json")


def test_the_cli_prints_the_maps_sentence_and_refuses_gradcam_without_conv(probe_model, tiny_models, photo, capsys):
    from vggcompare.cli import main

    assert main(["run", photo, "--model", tiny_models["plain"], "--passes", "3", "--explain", "occlusion", "--quiet"]) == 0
    assert "Maps: Occlusion of “class " in capsys.readouterr().out
    assert main(["run", photo, "--model", probe_model[0], "--passes", "3", "--explain", "gradcam", "--quiet"]) != 0
    assert "error: Grad-CAM needs a convolutional layer; occlusion works" in capsys.readouterr().err
