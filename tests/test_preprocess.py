"""Preprocessing: the reference pipeline is bit-identical to Keras', and each pitfall does what it says."""

from __future__ import annotations

import numpy as np
import pytest

from vggcompare.core.input.images import load_image, resize_for_model
from vggcompare.core.input.preprocess import CAFFE_MEAN_BGR, preprocess
from vggcompare.core.resources import sample_paths


@pytest.mark.parametrize("name", ["cat", "rocket"])
def test_reference_pipeline_is_bit_identical_to_keras(name):
    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()
    import keras

    path = str(sample_paths()[name])
    expected = keras.applications.vgg19.preprocess_input(
        keras.utils.img_to_array(keras.utils.load_img(path, target_size=(224, 224)))[None]
    )
    ours = preprocess(resize_for_model(load_image(path).image, (224, 224), "nearest")[None], "caffe")
    assert ours.dtype == expected.dtype == np.float32
    assert np.array_equal(ours.view(np.uint32), expected.view(np.uint32))


def test_preprocess_never_modifies_its_input():
    x = np.full((1, 2, 2, 3), 100.0, dtype=np.float32)
    preprocess(x, "caffe", ("double-preprocess", "rescale-after-preprocess"))
    assert (x == 100.0).all()


def _pixel(r, g, b):
    return np.array([[[[r, g, b]]]], dtype=np.float32)


def test_caffe_swaps_to_bgr_and_subtracts_means():
    out = preprocess(_pixel(10, 20, 30), "caffe")[0, 0, 0]
    assert out == pytest.approx([30 - 103.939, 20 - 116.779, 10 - 123.68], abs=1e-4)


def test_double_preprocess_subtracts_the_means_twice():
    out = preprocess(_pixel(10, 20, 30), "caffe", ("double-preprocess",))[0, 0, 0]
    assert out == pytest.approx([30 - 2 * 103.939, 20 - 2 * 116.779, 10 - 2 * 123.68], abs=1e-3)


def test_double_preprocess_matches_calling_keras_twice_on_one_buffer():
    import keras

    x = np.random.default_rng(0).uniform(0, 255, (1, 4, 4, 3)).astype(np.float32)
    buf = x.copy()
    keras.applications.vgg19.preprocess_input(buf)
    expected = keras.applications.vgg19.preprocess_input(buf)
    assert np.array_equal(preprocess(x, "caffe", ("double-preprocess",)), expected)


def test_rescale_after_preprocess_divides_the_caffe_values_by_255():
    ref = preprocess(_pixel(10, 20, 30), "caffe")
    out = preprocess(_pixel(10, 20, 30), "caffe", ("rescale-after-preprocess",))
    assert out == pytest.approx(ref / 255.0, rel=1e-6)
    assert np.abs(out).max() < 1.0  # values squashed near zero


def test_no_bgr_swap_keeps_rgb_order():
    out = preprocess(_pixel(10, 20, 30), "caffe", ("no-bgr-swap",))[0, 0, 0]
    assert out == pytest.approx([10 - CAFFE_MEAN_BGR[0], 20 - CAFFE_MEAN_BGR[1], 30 - CAFFE_MEAN_BGR[2]], abs=1e-4)


def test_tf_and_torch_modes():
    assert preprocess(_pixel(0, 127.5, 255), "tf")[0, 0, 0] == pytest.approx([-1, 0, 1])
    torch = preprocess(_pixel(255, 255, 255), "torch")[0, 0, 0]
    assert torch == pytest.approx([(1 - 0.485) / 0.229, (1 - 0.456) / 0.224, (1 - 0.406) / 0.225], rel=1e-5)
    assert (preprocess(_pixel(1, 2, 3), "none") == _pixel(1, 2, 3)).all()


def test_interpolations_change_the_input_deterministically():
    img = load_image(str(sample_paths()["cat"])).image
    near = resize_for_model(img, (224, 224), "nearest")
    bil = resize_for_model(img, (224, 224), "bilinear")
    assert not np.array_equal(near, bil)
    assert np.array_equal(bil, resize_for_model(img, (224, 224), "bilinear"))
