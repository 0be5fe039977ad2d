"""Bad input to the Python API gets one sentence (a VggCompareError), never a traceback from deep inside."""

from __future__ import annotations

import numpy as np
import pytest

from tests.api_helpers import probe_model


@pytest.fixture(scope="module")
def vc():
    import vggcompare

    return vggcompare


@pytest.fixture(scope="module")
def probe():
    return probe_model()


def one_sentence(exc: BaseException) -> str:
    from vggcompare.core.errors import VggCompareError

    assert isinstance(exc, VggCompareError), type(exc)
    text = str(exc)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_a_model_with_two_outputs(vc, photo):
    import keras

    inputs = keras.Input((32, 32, 3))
    flat = keras.layers.Flatten()(inputs)
    two = keras.Model(inputs, [keras.layers.Dense(10, activation="softmax")(flat), keras.layers.Dense(3)(flat)], name="twin")
    with pytest.raises(Exception) as caught:
        vc.run(two, photo, passes=1, progress=False)
    assert "twin has 2 outputs" in one_sentence(caught.value)


def test_outputs_that_are_not_a_class_vector(vc, photo):
    import keras

    maps = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(5, 3)], name="maps")
    with pytest.raises(Exception) as caught:
        vc.run(maps, photo, passes=1, progress=False)
    assert "not a class vector" in one_sentence(caught.value)


def test_labels_whose_count_differs_from_the_outputs(vc, probe, photo, tiny_models):
    with pytest.raises(Exception) as caught:
        vc.run(probe, photo, passes=1, labels=["a", "b", "c"], progress=False)
    assert one_sentence(caught.value) == "labels has 3 names but the model outputs 10 classes"
    with pytest.raises(Exception) as caught:
        vc.run(tiny_models["plain"], photo, passes=1, labels=["a", "b", "c"], progress=False)
    assert one_sentence(caught.value) == "labels has 3 names but the model outputs 10 classes"


def test_a_preprocessing_function_that_raises_is_named_with_its_exception(vc, probe, photo):
    def broken_preprocess(batch):
        raise KeyError("mean_rgb")

    with pytest.raises(Exception) as caught:
        vc.run(probe, photo, passes=1, preprocess=broken_preprocess, progress=False)
    text = one_sentence(caught.value)
    assert "broken_preprocess" in text and "KeyError" in text and "mean_rgb" in text


def test_a_loader_that_raises_is_named_with_its_exception(vc, probe, photo):
    def broken_loader(path):
        return 1 / 0

    with pytest.raises(Exception) as caught:
        vc.run(probe, photo, passes=1, loader=broken_loader, progress=False)
    text = one_sentence(caught.value)
    assert "your loader function" in text and "broken_loader" in text and "ZeroDivisionError" in text


def test_a_preprocessing_function_returning_the_wrong_shape_says_what_was_expected(vc, probe, photo):
    def drops_the_batch(batch):
        return batch[0]

    with pytest.raises(Exception) as caught:
        vc.run(probe, photo, passes=2, batch_size=2, preprocess=drops_the_batch, progress=False)
    text = one_sentence(caught.value)
    assert "drops_the_batch returned an array of shape (32, 32, 3)" in text
    assert "expected a float array of shape (2, 32, 32, 3)" in text


def test_a_preprocessing_function_returning_the_wrong_dtype_says_what_was_expected(vc, probe, photo):
    def to_bytes(batch):
        return batch.astype(np.uint8)

    with pytest.raises(Exception) as caught:
        vc.run(probe, photo, passes=1, preprocess=to_bytes, progress=False)
    assert "returned an array of dtype uint8; expected a float array" in one_sentence(caught.value)


def test_a_loader_returning_the_wrong_size_says_the_model_input_size(vc, probe, photo):
    def full_size(path):
        from PIL import Image

        return np.asarray(Image.open(path).convert("RGB"))

    with pytest.raises(Exception) as caught:
        vc.run(probe, photo, passes=1, loader=full_size, progress=False)
    text = one_sentence(caught.value)
    assert "returned an array of shape (48, 64, 3)" in text and "32×32×3" in text


def test_a_function_returning_no_array(vc, probe, photo):
    with pytest.raises(Exception) as caught:
        vc.run(probe, photo, passes=1, preprocess=lambda batch: None, progress=False)
    assert "returned a NoneType" in one_sentence(caught.value)


@pytest.mark.parametrize("arguments, words", [
    ({"image": np.zeros((8, 8), np.uint8)}, "H×W×3 uint8"),
    ({"image": 3.5}, "a path, a PIL image"),
    ({"model": 12}, "a built-in name"),
    ({"model": "no_such_model.keras"}, "neither a built-in model"),
    ({"preprocess": "caffee"}, "preprocess must be a mode"),
    ({"loader": "cv2"}, "loader must be a loader's name"),
    ({"seeding": "sometimes"}, "seeding must be"),
    ({"augment": {"rotate": 3}}, "unknown augmentation setting"),
    ({"colour": "red"}, "unknown setting(s): colour"),
    ({"passes": 0}, "number of passes"),
])
def test_bad_arguments(vc, probe, photo, arguments, words):
    given = {"model": probe, "image": photo, **arguments}
    with pytest.raises(Exception) as caught:
        vc.run(given.pop("model"), given.pop("image"), progress=False, **given)
    assert words in one_sentence(caught.value)


def test_compare_pipelines_names_a_function_returning_the_wrong_shape(vc, probe, photo):
    def serving(path):
        return np.zeros((1, 224, 224, 3), np.float32)

    with pytest.raises(Exception) as caught:
        vc.compare_pipelines(probe, photo, training=lambda p: np.zeros((32, 32, 3), np.float32), serving=serving)
    text = one_sentence(caught.value)
    assert "your serving function" in text and "(1, 224, 224, 3)" in text and "(32, 32, 3)" in text
