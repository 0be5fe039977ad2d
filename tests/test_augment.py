"""Augmentation (the generator engine): what each parameter does to a test picture, and what each pass draws.

Bit-for-bit equivalence with Keras' ImageDataGenerator is in test_augment_engines.py; these tests
state the behaviour in the picture's own terms.
"""

from __future__ import annotations

import numpy as np
import pytest

from vggcompare.core.config import AugmentConfig
from vggcompare.core.input import generator
from vggcompare.core.input.augment import PassAugmenter

H, W = 8, 10  # for draws, whose shifts scale with the picture's sides
SIDE = 8  # pictures are square: Keras' generator turns a non-square picture about a point off its centre
STILL = {"theta": 0.0, "tx": 0.0, "ty": 0.0, "shear": 0.0, "zx": 1.0, "zy": 1.0, "flip_horizontal": False}
NOTHING = AugmentConfig(enabled=True, rotation=0, width_shift=0.0, height_shift=0.0, shear=0.0, zoom=0.0, horizontal_flip=False)


def picture() -> np.ndarray:
    """A square picture whose every pixel differs: red = 20 × column, green = 30 × row, blue = both."""
    rows, cols = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
    return np.stack([cols * 20, rows * 30, rows * SIDE + cols], axis=-1)


def test_each_parameter_is_drawn_within_its_range():
    cfg = AugmentConfig(enabled=True, rotation=30, width_shift=0.1, height_shift=0.3, shear=5, zoom=0.25)
    draws = [generator.draw(cfg, seed, H, W) for seed in range(400)]
    # the generator's known swap: height_shift_range gives the sideways shift tx, in pixels of the height
    for key, limit in (("theta", 30), ("tx", 0.3 * H), ("ty", 0.1 * W), ("shear", 5)):
        values = np.abs([d[key] for d in draws])
        assert values.max() <= limit and values.max() > 0.9 * limit, key
    zooms = np.array([[d["zx"], d["zy"]] for d in draws])
    assert zooms.min() >= 0.75 and zooms.max() <= 1.25 and not np.array_equal(zooms[:, 0], zooms[:, 1])
    assert 0.4 < np.mean([d["flip_horizontal"] for d in draws]) < 0.6  # flipped with probability one half


def test_settings_of_zero_draw_nothing_and_leave_the_picture_as_it_is():
    p = picture()
    for seed in range(5):
        draw = generator.draw(NOTHING, seed, SIDE, SIDE)
        assert {k: draw[k] for k in STILL} == STILL and generator.describe(draw) == "unchanged"
        assert np.array_equal(generator.apply(p, draw, NOTHING), p)


def test_pass_i_draws_from_seed_plus_i_alone():
    """A pass's draw depends only on (seed, i): pass 5 alone is pass 5 of a whole run, and is seed + 5's draw."""
    cfg, p = AugmentConfig(enabled=True), picture()
    whole, records = PassAugmenter(cfg, 40, "once").augment(p, range(8))
    alone, [record] = PassAugmenter(cfg, 40, "once").augment(p, [5])
    assert record == records[5] == generator.draw(cfg, 45, SIDE, SIDE)
    assert np.array_equal(alone[0], whole[5])
    assert records[5] != generator.draw(cfg, 46, SIDE, SIDE)  # and another seed draws something else


@pytest.mark.parametrize("change, fill, expected", [
    ({"flip_horizontal": True}, "nearest", lambda p: p[:, ::-1]),
    ({"theta": 180.0}, "nearest", lambda p: p[::-1, ::-1]),  # (with constant fill, rounding puts edge pixels just outside)
    ({"tx": 2.0}, "constant", lambda p: np.concatenate([p[:, 2:], np.full_like(p[:, :2], 7.0)], axis=1)),  # 2 px left
    ({"ty": -1.0}, "constant", lambda p: np.concatenate([np.full_like(p[:1], 7.0), p[:-1]], axis=0)),  # 1 px down
    ({"tx": 2.0}, "nearest", lambda p: np.concatenate([p[:, 2:], np.repeat(p[:, -1:], 2, axis=1)], axis=1)),
])
def test_each_transform_moves_the_pixels_as_stated(change, fill, expected):
    cfg, p = AugmentConfig(enabled=True, fill_mode=fill, cval=7.0), picture()
    np.testing.assert_allclose(generator.apply(p, {**STILL, **change}, cfg), expected(p), atol=1e-3)


def test_zoom_magnifies_about_the_centre():
    """zx = 0.5 magnifies 2× across: the red ramp (20 per column) rises 10 per column, rows untouched."""
    p = picture()
    out = generator.apply(p, {**STILL, "zx": 0.5}, AugmentConfig(enabled=True))
    np.testing.assert_allclose(np.diff(out[:, :, 0], axis=1), 10.0, atol=1e-3)
    np.testing.assert_allclose(out[:, :, 1], p[:, :, 1], atol=1e-3)
    assert out[:, :, 0].mean() == pytest.approx(p[:, :, 0].mean(), abs=1e-3)  # the middle stays put
    assert generator.describe({**STILL, "zx": 0.5}) == "magnified 2.00× across, 1.00× down"


def test_rescale_multiplies_the_transformed_picture():
    p = picture()
    out = generator.apply(p, {**STILL, "flip_horizontal": True}, AugmentConfig(enabled=True, rescale=0.5))
    np.testing.assert_allclose(out, p[:, ::-1] * 0.5)
