"""Augmentation: what each parameter does to a test picture, and what each pass draws."""

from __future__ import annotations

import numpy as np
import pytest

from vggcompare.core.config import AugmentConfig
from vggcompare.core.input import augment as aug

H, W = 8, 10
IDENTITY = {"rotation_deg": 0.0, "shift_x_frac": 0.0, "shift_y_frac": 0.0, "shift_x_px": 0.0, "shift_y_px": 0.0,
            "shear_deg": 0.0, "zoom_x": 1.0, "zoom_y": 1.0, "flip": False}


def picture() -> np.ndarray:
    """An (H, W, 3) picture whose every pixel is different: red = column, green = row, blue = both."""
    rows, cols = np.mgrid[0:H, 0:W].astype(np.float32)
    return np.stack([cols * 20, rows * 30, rows * W + cols], axis=-1)


def test_each_parameter_is_drawn_within_its_range():
    cfg = AugmentConfig(enabled=True, rotation=30, width_shift=0.1, height_shift=0.3, shear=5, zoom=0.25)
    rng = np.random.default_rng(0)
    draws = [aug.draw_parameters(cfg, rng, H, W) for _ in range(500)]
    for key, limit in (("rotation_deg", 30), ("shift_x_frac", 0.1), ("shift_y_frac", 0.3), ("shear_deg", 5)):
        values = np.array([d[key] for d in draws])
        assert np.abs(values).max() <= limit and np.abs(values).max() > 0.9 * limit, key
    assert all(d["shift_x_px"] == pytest.approx(d["shift_x_frac"] * W) for d in draws)
    assert all(d["shift_y_px"] == pytest.approx(d["shift_y_frac"] * H) for d in draws)
    zooms = np.array([[d["zoom_x"], d["zoom_y"]] for d in draws])
    assert zooms.min() >= 0.75 and zooms.max() <= 1.25 and not np.array_equal(zooms[:, 0], zooms[:, 1])
    assert 0.4 < np.mean([d["flip"] for d in draws]) < 0.6  # flipped with probability one half


def test_a_zero_range_draws_the_identity():
    cfg = AugmentConfig(enabled=True, rotation=0, width_shift=0, height_shift=0, shear=0, zoom=0, horizontal_flip=False)
    rng = np.random.default_rng(1)
    assert all(aug.draw_parameters(cfg, rng, H, W) == IDENTITY for _ in range(20))
    assert aug.describe(aug.draw_parameters(cfg, rng, H, W)) == "unchanged"


def test_a_draw_depends_only_on_its_generator_never_on_the_other_settings():
    """Every draw takes the same values from its generator, so one pass's (seed, i) generator gives
    the same zoom and shifts whether or not rotation or flipping is switched on."""
    seed = [42, 3]  # (run seed, pass index), as the engine seeds pass 3
    full = aug.draw_parameters(AugmentConfig(enabled=True), np.random.default_rng(seed), H, W)
    fewer = aug.draw_parameters(AugmentConfig(enabled=True, rotation=0, horizontal_flip=False), np.random.default_rng(seed), H, W)
    for key in ("shift_x_frac", "shift_y_frac", "shear_deg", "zoom_x", "zoom_y"):
        assert full[key] == fewer[key], key
    assert fewer["rotation_deg"] == 0 and fewer["flip"] is False
    assert aug.draw_parameters(AugmentConfig(enabled=True), np.random.default_rng(seed), H, W) == full
    assert aug.draw_parameters(AugmentConfig(enabled=True), np.random.default_rng([42, 4]), H, W) != full


def test_captions_name_what_was_done():
    assert aug.describe({}) == "as loaded"
    params = {**IDENTITY, "rotation_deg": 12.34, "shift_x_px": 3.2, "zoom_x": 0.9, "flip": True}
    assert aug.describe(params) == "rotated +12.3°, shift +3,+0 px, zoom 0.90×1.00, flipped"


@pytest.mark.parametrize("change, fill, expected", [
    ({}, "nearest", lambda p: p),
    ({"flip": True}, "nearest", lambda p: p[:, ::-1]),
    ({"rotation_deg": 180.0}, "nearest", lambda p: p[::-1, ::-1]),
    # output-to-input mapping, as ImageDataGenerator: a shift of +2 columns shows the picture moved left
    ({"shift_x_px": 2.0}, "nearest", lambda p: np.concatenate([p[:, 2:], np.repeat(p[:, -1:], 2, axis=1)], axis=1)),
    ({"shift_x_px": 2.0}, "constant", lambda p: np.concatenate([p[:, 2:], np.zeros_like(p[:, :2])], axis=1)),
    ({"shift_y_px": -1.0}, "wrap", lambda p: np.roll(p, 1, axis=0)),
])
def test_each_transform_moves_the_pixels_as_stated(change, fill, expected):
    p = picture()
    out = aug.apply_augmentation(p[None], [{**IDENTITY, **change}], fill)[0]
    np.testing.assert_allclose(out, expected(p), atol=1e-3)


def test_zoom_scales_about_the_centre():
    """zoom_x 0.5 samples the input at half the spacing: the red ramp (20 per column) rises 10 per column."""
    p = picture()
    out = aug.apply_augmentation(p[None], [{**IDENTITY, "zoom_x": 0.5}], "nearest")[0]
    np.testing.assert_allclose(np.diff(out[:, :, 0], axis=1), 10.0, atol=1e-3)
    np.testing.assert_allclose(out[:, :, 1], p[:, :, 1], atol=1e-3)  # rows untouched
    assert out[:, :, 0].mean() == pytest.approx(p[:, :, 0].mean(), abs=1e-3)  # centred: the middle stays put
