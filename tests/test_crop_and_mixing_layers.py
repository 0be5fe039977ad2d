"""RandomCrop, MixUp and CutMix inside a user's model: what the run says they do is what the installed Keras does.

RandomCrop is documented to crop the centre at inference; Keras 3.15 passes the image through uncropped then
(keras-team/keras#21868). The tests ask the layer itself, so they hold on a Keras that crops, too. MixUp and CutMix
mix the rows of one call, so the tool runs one pass per call and says what that leaves of them.
"""

from __future__ import annotations

import numpy as np
import pytest

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ModelError
from vggcompare.core.input.images import load_image
from vggcompare.core.input.model_view import model_input
from vggcompare.core.model.layer_kinds import crops_at_inference
from vggcompare.core.passes.engine import run_experiment

SIDE, CROP = 32, 24


def _save(tmp_path_factory, name, first_layer, head):
    """Input(32×32) → first_layer → head → Dense(10, tiny weights) → softmax: every pixel moves the output."""
    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()
    import keras

    keras.utils.set_random_seed(11)
    inputs = keras.Input((SIDE, SIDE, 3))
    x = head()(first_layer()(inputs))
    out = keras.layers.Dense(10, activation="softmax", kernel_initializer=keras.initializers.RandomNormal(stddev=1e-3))(x)
    model = keras.Model(inputs, out)
    path = tmp_path_factory.mktemp(name) / f"{name}.keras"
    model.save(path)
    return str(path), model


@pytest.fixture(scope="module")
def cropping(tmp_path_factory):
    import keras

    return _save(tmp_path_factory, "crop_gap", lambda: keras.layers.RandomCrop(CROP, CROP),
                 keras.layers.GlobalAveragePooling2D)


@pytest.fixture(scope="module")
def cropping_flatten(tmp_path_factory):
    import keras

    return _save(tmp_path_factory, "crop_flatten", lambda: keras.layers.RandomCrop(CROP, CROP), keras.layers.Flatten)


@pytest.fixture(scope="module", params=["MixUp", "CutMix"])
def mixing(request, tmp_path_factory):
    import keras

    layer = {"MixUp": lambda: keras.layers.MixUp(alpha=0.2), "CutMix": lambda: keras.layers.CutMix(factor=1.0)}[request.param]
    return request.param, _save(tmp_path_factory, request.param.lower(), layer, keras.layers.Flatten)[0]


def _picture(photo):
    return model_input(load_image(photo), (SIDE, SIDE))[None].astype(np.float32)


def test_random_crop_at_inference_is_described_and_run_as_the_installed_keras_does(cropping, photo):
    path, model = cropping
    crop_layer, pool, dense = model.layers[1], model.layers[2], model.layers[3]
    crops = crops_at_inference(crop_layer)
    assert crops == (tuple(crop_layer(np.zeros((1, SIDE, SIDE, 3), np.float32), training=False).shape[1:3]) == (CROP, CROP))
    result = run_experiment(ExperimentConfig(image=photo, model=path, passes=2, seeding="once"))
    (described,) = result.environment.augmentation_layers_in_model
    assert described.startswith(f"RandomCrop (crops a random {CROP}×{CROP} window in training mode")
    assert ("the centre" in described) == crops and ("passes the image through uncropped" in described) == (not crops)
    picture = _picture(photo)
    start = (SIDE - CROP) // 2
    whole = np.asarray(dense(pool(picture)))
    centre = np.asarray(dense(pool(picture[:, start : start + CROP, start : start + CROP])))
    assert np.abs(whole - centre).max() > 1e-5  # the probe tells the whole picture from its centre
    assert np.allclose(result.probabilities, centre if crops else whole, rtol=1e-5, atol=1e-7)


def test_random_crop_in_training_mode_crops_a_random_window_per_pass_and_repeats_when_seeded(cropping, photo):
    path, _model = cropping
    cfg = ExperimentConfig(image=photo, model=path, passes=4, seeding="once", training_mode=True, training_part="augmentation")
    first, again = run_experiment(cfg), run_experiment(cfg)
    assert first.statistics.max_std > 0 and np.array_equal(first.probabilities, again.probabilities)


def test_a_model_that_needs_the_crop_at_inference_is_refused_in_one_sentence_where_keras_does_not_crop(
        cropping_flatten, photo, capsys):
    from vggcompare.cli import main

    path, model = cropping_flatten
    cfg = ExperimentConfig(image=photo, model=path, passes=1)
    if crops_at_inference(model.layers[1]):  # a Keras that crops at inference runs this model as it was built
        assert run_experiment(cfg).probabilities.shape == (1, 10)
        return
    with pytest.raises(ModelError, match=rf"RandomCrop\({CROP}, {CROP}\) passes the {SIDE}×{SIDE} image through uncropped"):
        run_experiment(cfg)
    assert main(["run", photo, "--model", path, "--passes", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "CenterCrop" in err and "keras-team/keras#21868" in err and "Traceback" not in err


def test_mixup_and_cutmix_run_one_pass_per_call_and_say_what_that_leaves_of_them(mixing, photo):
    name, path = mixing
    inference = run_experiment(ExperimentConfig(image=photo, model=path, passes=3, seeding="once", batch_size=1))
    result = run_experiment(ExperimentConfig(image=photo, model=path, passes=3, seeding="once", training_mode=True,
                                             training_part="augmentation"))
    (described,) = result.environment.augmentation_layers_in_model
    assert described.startswith(name) and "no labels to mix" in described
    assert result.environment.passes_per_call == 1
    (note,) = [n for n in result.notes if "one pass per call" in n]
    if name == "CutMix":  # a patch of the image pasted onto itself: the very same input
        assert "which changes nothing" in note
        assert np.array_equal(result.probabilities, inference.probabilities)
    else:  # w·x + (1 − w)·x: the same image up to float32 rounding
        assert "float32 rounding only" in note
        assert np.abs(result.probabilities - inference.probabilities).max() < 1e-6
