"""Both augmentation engines against Keras' own classes: the legacy ImageDataGenerator and a plain Sequential.

Equivalence is checked on the augmented arrays (bit for bit) and, end to end, on a probe model whose
output moves with every pixel (STYLE.md), so a wrong pixel cannot hide behind a saturated softmax.
"""

from __future__ import annotations

import numpy as np
import pytest

from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.input import generator, keras_layers
from vggcompare.core.input.augment import PassAugmenter, model_batch
from vggcompare.core.passes.engine import run_experiment

GENERATOR_CASES = [  # ImageDataGenerator keyword arguments, in every form it accepts
    dict(rotation_range=20, width_shift_range=0.2, height_shift_range=0.2, shear_range=0.2, zoom_range=0.2,
         horizontal_flip=True, fill_mode="nearest"),  # the popular answer's
    dict(rotation_range=45, width_shift_range=10, height_shift_range=[0.1, 0.3], shear_range=10, zoom_range=[0.7, 1.2],
         fill_mode="constant", cval=7.0, rescale=1.0 / 255),
    dict(width_shift_range=15.5, height_shift_range=3, fill_mode="reflect"),
    dict(zoom_range=0.3, fill_mode="wrap", horizontal_flip=True),
]
LAYER_CASES = [
    AugmentConfig(enabled=True, engine="layers", rotation=0.05, width_shift=0.2, height_shift=0.1, shear=0.1, zoom=0.2,
                  fill_mode="reflect"),
    AugmentConfig(enabled=True, engine="layers", rotation=0.1, width_shift=0.0, height_shift=0.0, shear=0.0,
                  zoom=(-0.3, 0.1), fill_mode="constant", cval=3.0),
]


def as_config(kwargs: dict) -> AugmentConfig:
    """The tool's settings for a generator made with ``kwargs``."""
    return AugmentConfig(
        enabled=True, rotation=kwargs.get("rotation_range", 0), width_shift=kwargs.get("width_shift_range", 0.0),
        height_shift=kwargs.get("height_shift_range", 0.0), shear=kwargs.get("shear_range", 0.0),
        zoom=kwargs.get("zoom_range", 0.0), horizontal_flip=kwargs.get("horizontal_flip", False),
        fill_mode=kwargs["fill_mode"], cval=kwargs.get("cval", 0.0), rescale=kwargs.get("rescale"))


def keras_generator_batches(kwargs: dict, x: np.ndarray, seed: int, n: int = 8) -> np.ndarray:
    from keras.src.legacy.preprocessing.image import ImageDataGenerator

    flow = ImageDataGenerator(**kwargs).flow(x[None], batch_size=1, seed=seed)
    return np.concatenate([next(flow) for _ in range(n)])


@pytest.fixture(scope="module")
def picture() -> np.ndarray:
    return np.random.default_rng(0).uniform(0, 255, (40, 56, 3)).astype(np.float32)


@pytest.mark.parametrize("kwargs", GENERATOR_CASES)
def test_generator_engine_is_image_data_generator_flow_bit_for_bit(picture, kwargs):
    cfg = as_config(kwargs)
    cfg.validate()
    ours, records = PassAugmenter(cfg, 123, "once").augment(picture, range(8))
    if cfg.rescale:
        ours *= np.float32(cfg.rescale)  # the generator's standardize step; model_batch does it after preprocessing
    theirs = keras_generator_batches(kwargs, picture, 123)
    assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)
    assert np.array_equal(keras_generator_batches(generator.keras_arguments(cfg), picture, 123), theirs)  # the notes' code
    assert [r["seed"] for r in records] == list(range(123, 131))
    assert not np.array_equal(ours[0], ours[1])


def test_preprocess_first_then_rescale_is_the_popular_answers_pipeline(picture):
    from keras.applications.vgg19 import preprocess_input

    kwargs = dict(GENERATOR_CASES[0], rescale=1.0 / 255)
    cfg = AugmentConfig(enabled=True, rescale=1.0 / 255, preprocess_first=True)
    x, records, shown = model_batch(PassAugmenter(cfg, 42, "once"), picture, range(8), "caffe", (), shown_below=2)
    theirs = keras_generator_batches(kwargs, preprocess_input(picture.copy()), 42)
    assert np.array_equal(x, theirs)
    assert sorted(shown) == [0, 1] and 0 <= shown[0].min() and shown[0].max() <= 255


def test_generator_then_preprocess_is_preprocessing_function_then_rescale(picture):
    from keras.applications.vgg19 import preprocess_input

    kwargs = dict(GENERATOR_CASES[1], preprocessing_function=preprocess_input)
    x, _, _ = model_batch(PassAugmenter(as_config(kwargs), 5, "once"), picture, range(8), "caffe", ())
    assert np.array_equal(x, keras_generator_batches(kwargs, picture, 5))


@pytest.mark.parametrize("engine_cfg", [as_config(GENERATOR_CASES[0]), LAYER_CASES[0]])
def test_draws_do_not_depend_on_how_passes_are_grouped(picture, engine_cfg):
    whole, rec = PassAugmenter(engine_cfg, 9, "once").augment(picture, range(8))
    split = PassAugmenter(engine_cfg, 9, "once")
    parts = [split.augment(picture, r) for r in (range(0, 3), range(3, 4), range(4, 8))]
    assert np.array_equal(whole, np.concatenate([p[0] for p in parts]))
    assert rec == [r for p in parts for r in p[1]]


@pytest.mark.parametrize("cfg", LAYER_CASES)
def test_layers_engine_is_a_plain_sequential_under_the_same_seed(picture, cfg):
    import keras

    cfg.validate()
    ours, records = PassAugmenter(cfg, 7, "once").augment(picture, range(8))
    keras.utils.set_random_seed(7)
    stack = keras.Sequential([getattr(keras.layers, name)(**kw) for name, kw in keras_layers.layer_specs(cfg)])
    theirs = np.concatenate([np.asarray(stack(picture[None], training=True)) for _ in range(8)])
    assert np.array_equal(ours, theirs)
    assert len({keras_layers.describe(r) for r in records}) == 8


def test_every_pass_seeding_repeats_pass_0_in_both_engines(picture):
    for cfg in (as_config(GENERATOR_CASES[0]), LAYER_CASES[0]):
        out, records = PassAugmenter(cfg, 3, "every-pass").augment(picture, range(4))
        assert all(np.array_equal(out[0], o) for o in out) and all(r == records[0] for r in records)


def dot_picture() -> np.ndarray:
    x = np.zeros((64, 64, 3), np.float32)
    x[8:16, 28:36] = 255  # a square above the centre
    return x


def centre(img: np.ndarray) -> tuple[float, float]:
    rows, cols = np.nonzero(img[..., 0] > 128)
    return rows.mean(), cols.mean()


def test_generator_captions_say_where_the_picture_went():
    cfg = AugmentConfig(enabled=True, fill_mode="constant")
    still = {"theta": 0.0, "tx": 0.0, "ty": 0.0, "shear": 0.0, "zx": 1.0, "zy": 1.0, "flip_horizontal": False}
    for change, words, row_move, col_move in [({"tx": 10.0}, "moved 10 px left", 0, -10), ({"ty": -6.0}, "moved 6 px down", 6, 0),
                                              ({"theta": 30.0}, "rotated 30.0° counter-clockwise", None, "left")]:
        p = {**still, **change}
        (r0, c0), (r1, c1) = centre(dot_picture()), centre(generator.apply(dot_picture(), p, cfg))
        assert generator.describe(p) == words
        if row_move is None:  # the square above the centre goes left when the picture turns counter-clockwise
            assert c1 < c0 - 5
        else:
            assert (round(r1 - r0), round(c1 - c0)) == (row_move, col_move)


def test_the_swap_is_named_once_in_the_notes(tiny_models, photo):
    c = ExperimentConfig(image=photo, model=tiny_models["plain"], labels=tiny_models["labels"], passes=3, seeding="once",
                         augment=AugmentConfig(enabled=True, width_shift=0.0))
    result = run_experiment(c)
    swap = "Note: in the generator engine, height_shift_range moved it sideways: a known Keras behaviour (keras-team/keras#17398)."
    assert [n for n in result.notes if "known Keras behaviour" in n] == [swap]
    assert result.verdict.count("known Keras behaviour") == 1  # the window and the command line show the verdict


def reference_predictions(model, path, gen_kwargs, seed, n):
    from keras.applications.vgg19 import preprocess_input
    from keras.utils import img_to_array, load_img

    x = img_to_array(load_img(path, target_size=(32, 32)))
    batches = keras_generator_batches(dict(gen_kwargs, preprocessing_function=preprocess_input), x, seed, n)
    return model.predict(batches, batch_size=n, verbose=0)


def test_engine_passes_reproduce_model_predict_on_the_generators_batches(probe_model, photo):
    path, model = probe_model
    cfg = ExperimentConfig(image=photo, model=path, passes=8, batch_size=8, seeding="once", seed=11, preprocess="caffe",
                           augment=as_config(GENERATOR_CASES[0]))
    ours = run_experiment(cfg).probabilities
    theirs = reference_predictions(model, photo, GENERATOR_CASES[0], 11, 8)
    other = reference_predictions(model, photo, GENERATOR_CASES[0], 12, 8)
    assert np.abs(theirs - other).max() > 1e-5  # the probe tells different augmentations apart
    assert np.abs(ours - theirs).max() <= 1e-7, np.abs(ours - theirs).max()


def test_engine_passes_reproduce_a_layers_script(probe_model, photo):
    import keras
    from keras.applications.vgg19 import preprocess_input
    from keras.utils import img_to_array, load_img

    path, model = probe_model
    aug = LAYER_CASES[0]
    cfg = ExperimentConfig(image=photo, model=path, passes=6, batch_size=3, seeding="once", seed=21, preprocess="caffe", augment=aug)
    ours = run_experiment(cfg)
    x = img_to_array(load_img(photo, target_size=(32, 32)))
    keras.utils.set_random_seed(21)
    stack = keras.Sequential([getattr(keras.layers, name)(**kw) for name, kw in keras_layers.layer_specs(aug)])
    batches = np.concatenate([preprocess_input(np.array(stack(x[None], training=True))) for _ in range(6)])
    theirs = model.predict(batches, batch_size=6, verbose=0)
    assert np.abs(ours.probabilities - theirs).max() <= 1e-7
    assert ours.config.augment.engine == "layers"
    assert any("keras.layers.RandomRotation(factor=0.05" in n for n in ours.notes)


def test_layers_engine_is_a_plain_sequential_under_jax_too(tmp_path):
    """Under the JAX backend Keras draws other numbers than under TensorFlow; the engine must still draw Keras' own."""
    import os
    import subprocess
    import sys

    pytest.importorskip("jax")
    script = (
        "import numpy as np, keras\n"
        "from vggcompare.core.config import AugmentConfig\n"
        "from vggcompare.core.input import keras_layers\n"
        "from vggcompare.core.input.augment import PassAugmenter\n"
        "picture = np.random.default_rng(0).uniform(0, 255, (40, 56, 3)).astype(np.float32)\n"
        "for cfg in (AugmentConfig(enabled=True, engine='layers', rotation=0.05, width_shift=0.2, height_shift=0.1,\n"
        "                          shear=0.1, zoom=0.2, fill_mode='reflect'),\n"
        "            AugmentConfig(enabled=True, engine='layers', rotation=0.1, width_shift=0.0, height_shift=0.0, shear=0.0,\n"
        "                          zoom=(-0.3, 0.1), fill_mode='constant', cval=3.0)):\n"
        "    ours, records = PassAugmenter(cfg, 7, 'once').augment(picture, range(6))\n"
        "    keras.utils.set_random_seed(7)\n"
        "    stack = keras.Sequential([getattr(keras.layers, n)(**kw) for n, kw in keras_layers.layer_specs(cfg)])\n"
        "    theirs = np.concatenate([np.asarray(stack(picture[None], training=True)) for _ in range(6)])\n"
        "    print(keras.backend.backend(), np.array_equal(ours, theirs), len({keras_layers.describe(r) for r in records}),\n"
        "          float(np.abs(ours - picture).max()) > 1)\n"
    )
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split("\n")[:2] == ["jax True 6 True"] * 2  # bit for bit, six different passes, pictures moved
