"""Default loading is Keras' own: every corpus image, every interpolation, bit for bit.

The corpus holds the odd images that made the tool and Keras disagree before (EXIF orientation,
transparency) and every other mode and container the loader accepts, plus the shipped samples.
"""

from __future__ import annotations

import glob
import os

import numpy as np
import pytest
from PIL import Image

from vggcompare.core.input.images import INTERPOLATIONS, load_image
from vggcompare.core.input.model_view import model_input, switch_notes, switched_image
from vggcompare.core.input.preprocess import preprocess

SAMPLES = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "resources", "samples", "*.*g")))


def _gradient(w: int, h: int) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    return np.dstack([x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), (x + y) * 7 % 256]).astype(np.uint8)


def _corpus(folder) -> list[str]:
    rgb = Image.fromarray(_gradient(61, 47))
    exif = Image.Exif()
    exif[0x0112] = 6
    rgba = np.dstack([_gradient(40, 30), np.full((30, 40), 128, np.uint8)])
    palette = rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    frames = [Image.new("RGB", (20, 14), c) for c in ((255, 0, 0), (0, 255, 0))]
    grey16 = Image.fromarray((_gradient(33, 21)[..., 0].astype(np.uint16) * 300)).convert("I;16")
    made = {
        "rgb.jpg": (rgb, {"quality": 90}),
        "progressive.jpg": (rgb, {"quality": 80, "progressive": True}),
        "exif6.jpg": (rgb, {"quality": 92, "exif": exif}),
        "exif6.png": (rgb, {"exif": exif}),
        "cmyk.jpg": (rgb.convert("CMYK"), {"quality": 90}),
        "rgba128.png": (Image.fromarray(rgba), {}),
        "la.png": (Image.fromarray(rgba).convert("LA"), {}),
        "p_transparent.png": (palette, {"transparency": 0}),
        "p_transparent.gif": (palette, {"transparency": 3}),
        "animated.gif": (frames[0], {"save_all": True, "append_images": frames[1:], "duration": 50}),
        "animated.webp": (frames[0], {"save_all": True, "append_images": frames[1:], "lossless": True}),
        "animated.png": (frames[0], {"save_all": True, "append_images": frames[1:]}),
        "pages.tif": (frames[0], {"save_all": True, "append_images": frames[1:]}),
        "grey16.png": (grey16, {}),
        "grey.png": (rgb.convert("L"), {}),
        "bilevel.bmp": (rgb.convert("1"), {}),
        "lossy.webp": (rgb, {"quality": 70}),
        "tiny.png": (Image.new("RGB", (1, 1), (9, 99, 199)), {}),
        "strip.png": (Image.fromarray(_gradient(300, 2)), {}),
    }
    paths = []
    for name, (im, kwargs) in made.items():
        path = str(folder / name)
        im.save(path, **kwargs)
        paths.append(path)
    return paths + SAMPLES


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return _corpus(tmp_path_factory.mktemp("corpus"))


def test_corpus_has_the_images_that_used_to_differ(corpus):
    loaded = {os.path.basename(p): load_image(p) for p in corpus}
    assert loaded["exif6.jpg"].exif_orientation == 6 and loaded["rgba128.png"].transparent
    assert loaded["p_transparent.gif"].transparent and len(SAMPLES) >= 4
    assert any("EXIF orientation 6" in n for n in loaded["exif6.jpg"].notes)
    assert any("transparent pixels" in n for n in loaded["rgba128.png"].notes)


@pytest.mark.parametrize("size", [(224, 224), (45, 30)])
@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_default_loading_is_keras_load_img_bit_for_bit(corpus, interpolation, size):
    from keras.utils import img_to_array, load_img

    for path in corpus:
        ours = model_input(load_image(path), size, interpolation)
        theirs = img_to_array(load_img(path, target_size=size, interpolation=interpolation))
        assert ours.dtype == theirs.dtype == np.float32, path
        assert np.array_equal(ours, theirs), f"{os.path.basename(path)} with {interpolation} differs from load_img"


def test_default_model_input_is_keras_load_img_then_preprocess_input(corpus):
    from keras.applications.vgg19 import preprocess_input
    from keras.utils import img_to_array, load_img

    for path in corpus:
        ours = preprocess(model_input(load_image(path), (224, 224))[None], "caffe")
        theirs = preprocess_input(img_to_array(load_img(path, target_size=(224, 224)))[None])
        assert np.array_equal(ours, theirs), os.path.basename(path)


def test_switches_change_only_images_that_have_what_they_act_on(corpus):
    by_name = {os.path.basename(p): load_image(p) for p in corpus}
    both = ("apply-exif", "alpha-on-white")
    exif, rgba, plain = by_name["exif6.jpg"], by_name["rgba128.png"], by_name["rgb.jpg"]
    assert switched_image(plain, both) is plain.image
    assert switched_image(exif, both).size == exif.image.size[::-1]  # turned 90°
    white = np.asarray(switched_image(rgba, both)).astype(int)
    stored = np.asarray(rgba.image).astype(int)
    assert np.abs(white - (stored + 255) / 2).max() <= 1  # alpha 128 on white: halfway to white
    assert np.abs(white - stored).max() > 100  # up to 127 of 255 on this image
    assert switch_notes(plain, both) == ["'apply EXIF orientation' changed nothing: the image has no EXIF rotation.",
                                         "'transparent pixels on white' changed nothing: the image has no transparency."]
