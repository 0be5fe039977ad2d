"""The augmentation group's engine choice and the loading switches, in the window."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from vggcompare.core.config import AugmentConfig
from vggcompare.core.input.keras_layers import LAYERS_DEFAULTS
from vggcompare.core.input.model_view import model_input
from vggcompare.gui.window.model_wiring import follow_controls

pytestmark = pytest.mark.gui


def test_engine_choice_loads_its_defaults_and_is_in_the_config(window, tiny_config):
    window.controls.set_config(tiny_config)
    group = window.controls.augment_settings
    assert window.controls.config().augment.engine == "generator"
    group.engine.setCurrentIndex(group.engine.findData("layers"))
    a = window.controls.config().augment
    assert (a.engine, a.rotation, a.shear, a.fill_mode) == ("layers", LAYERS_DEFAULTS.rotation, LAYERS_DEFAULTS.shear, "reflect")
    assert "of a turn" in group.rotation.suffix() and group.swap_note.text() == ""
    group.engine.setCurrentIndex(group.engine.findData("generator"))
    assert window.controls.config().augment == AugmentConfig(enabled=True)
    assert "sideways" in group.swap_note.text()


def test_forms_the_boxes_cannot_show_survive_until_edited(window, tiny_config):
    odd = tiny_config.replace(augment=AugmentConfig(enabled=True, width_shift=(5, 10, 15), height_shift=20, zoom=(0.8, 1.2),
                                                    rescale=1 / 255, preprocess_first=True))
    window.controls.set_config(odd)
    assert window.controls.config().augment == odd.augment
    window.controls.augment_settings.width_shift.setValue(10)
    assert window.controls.config().augment.width_shift == pytest.approx(0.1)


def test_loading_switches_change_what_the_model_sees(window, tiny_config, tmp_path, open_image):
    rgba = np.zeros((30, 40, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, np.where(np.arange(40) < 20, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "phone.png"
    Image.fromarray(rgba).save(path, exif=exif)
    open_image(window, path)
    caption = window.image_panel.picture_caption.text()
    assert "EXIF orientation 6" in caption and "transparent pixels" in caption
    window.controls.set_config(tiny_config.replace(image=str(path)))
    boxes = window.controls.preprocess_settings.pitfalls
    assert boxes["apply-exif"].text().startswith("Apply EXIF orientation")
    boxes["apply-exif"].setChecked(True)
    boxes["alpha-on-white"].setChecked(True)
    follow_controls(window)  # as the controls' changed signal does
    assert window.image_panel.switches == ("apply-exif", "alpha-on-white")
    assert "EXIF orientation applied" in window.image_panel.input_caption.text()
    assert window.controls.config().pitfalls == ("apply-exif", "alpha-on-white")
    seen = model_input(window.image_panel.loaded, (32, 32), "nearest", ("apply-exif", "alpha-on-white"))
    assert seen[..., 1].max() == 255  # white where the picture was transparent
