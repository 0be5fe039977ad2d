"""Which known pipeline made an array: tested against the libraries' own calls on the same file (no model pass)."""

from __future__ import annotations

import numpy as np
import pytest

CAFFE = np.array([103.939, 116.779, 123.68], np.float32)


@pytest.fixture(scope="module")
def jpeg():
    from vggcompare.core.resources import sweep_samples_folder

    return str(sorted(sweep_samples_folder().glob("*.jpg"))[0])


@pytest.fixture(scope="module")
def loaded(jpeg):
    from vggcompare.core.input.images import load_image

    return load_image(jpeg)


@pytest.fixture(scope="module")
def pictures(loaded):
    from vggcompare.core.input.pipeline_match import loader_pictures

    return loader_pictures(loaded, (64, 64))


def match(array, loaded, pictures):
    from vggcompare.core.input.pipeline_match import match_pipeline

    return match_pipeline(array, loaded, (64, 64), pictures)


def test_opencv_linear_caffe_without_the_bgr_swap(jpeg, loaded, pictures):
    import cv2

    rgb = cv2.cvtColor(cv2.imread(jpeg), cv2.COLOR_BGR2RGB)
    array = cv2.resize(rgb, (64, 64), interpolation=cv2.INTER_LINEAR).astype(np.float32) - CAFFE  # means in BGR order, on RGB
    found = match(array, loaded, pictures)
    assert found.exact and (found.loader, found.interpolation, found.bgr) == ("opencv", "bilinear", False)
    assert (found.preprocessing.mode, found.preprocessing.swap) == ("caffe", False)
    assert found.sentence("your serving array") == ("your serving array equals OpenCV (cv2.imread, cv2.resize INTER_LINEAR) "
                                                    "+ caffe preprocessing, without the BGR swap, bit for bit.")


def test_opencv_bgr_array_with_keras_caffe_preprocessing(jpeg, loaded, pictures):
    import cv2
    import keras

    bgr = cv2.resize(cv2.imread(jpeg), (64, 64), interpolation=cv2.INTER_AREA).astype(np.float32)
    array = keras.applications.vgg19.preprocess_input(bgr.copy())
    found = match(array, loaded, pictures)
    assert found.equal and (found.loader, found.interpolation) == ("opencv", "area")
    assert found.preprocessing.mode == "caffe"


def test_load_img_nearest_with_tf_mode(jpeg, loaded, pictures):
    import keras

    pixels = keras.utils.img_to_array(keras.utils.load_img(jpeg, target_size=(64, 64)))
    array = keras.applications.mobilenet_v2.preprocess_input(pixels.copy())
    found = match(array, loaded, pictures)
    assert found.equal and (found.loader, found.interpolation, found.preprocessing.mode) == ("load-img", "nearest", "tf")


def test_image_dataset_path_with_antialias_and_rescale(jpeg, loaded, pictures):
    import tensorflow as tf

    image = tf.io.decode_jpeg(tf.io.read_file(jpeg), channels=3, dct_method="INTEGER_ACCURATE")
    array = tf.image.resize(image, (64, 64), method="bicubic", antialias=True).numpy() / 255.0
    found = match(array, loaded, pictures)
    assert found.equal and (found.loader, found.interpolation, found.antialias, found.dct_method) == \
        ("tf-dataset", "bicubic", True, "INTEGER_ACCURATE")
    assert found.preprocessing.words() == "no preprocessing (pixels 0..1)"


def test_an_array_no_pipeline_makes_gets_the_nearest_and_its_gap(jpeg, loaded, pictures):
    import keras

    pixels = keras.utils.img_to_array(keras.utils.load_img(jpeg, target_size=(64, 64)))
    pixels[10:20, 10:20] += 40.0
    found = match(pixels, loaded, pictures)
    assert not found.equal and found.largest_pixel_difference == pytest.approx(40.0, abs=1e-3)
    assert "matches no pipeline the tool knows" in found.sentence() and "40 pixel levels" in found.sentence()


def test_a_wrongly_shaped_array_is_one_sentence(loaded, pictures):
    from vggcompare.core.errors import ImageError

    with pytest.raises(ImageError, match="must be 64×64×3"):
        match(np.zeros((2, 64, 64, 3)), loaded, pictures)


def test_the_api_names_it_from_an_image_path(jpeg):
    import keras

    import vggcompare as vc

    pixels = np.asarray(keras.utils.load_img(jpeg, target_size=(48, 40), interpolation="bilinear"))
    found = vc.match_pipeline(pixels, jpeg)
    assert found.exact and (found.loader, found.interpolation, found.preprocessing.mode) == ("load-img", "bilinear", "none")
