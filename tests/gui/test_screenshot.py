"""The screenshot command's function, and the number formatting the plots rely on."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage

from vggcompare.core.errors import ConfigError
from vggcompare.render.qimages import qimage_to_array
from vggcompare.render.numbers import eta_text, nice_ceiling, tick_labels
from vggcompare.gui.window.screenshot import take_screenshot

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("size", [(1280, 800), (480, 360)])
def test_screenshot_writes_a_png_of_the_requested_size_that_is_not_blank(tiny_config, tmp_path, size):
    path = take_screenshot(tiny_config, tmp_path / "shots" / "window.png", size)
    assert path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(path))
    assert (image.width(), image.height()) == size
    pixels = qimage_to_array(image).astype(np.float64)
    assert pixels.std() > 20  # text, plots and photos, not a flat fill
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 500


def test_screenshot_refuses_sizes_too_small_to_show_anything(tiny_config, tmp_path):
    with pytest.raises(ConfigError, match="at least"):
        take_screenshot(tiny_config, tmp_path / "tiny.png", (100, 80))


def test_tick_labels_stay_readable_for_tiny_and_ordinary_numbers():
    assert tick_labels([0.0, 0.2, 0.4], 0.2) == ["0", "0.2", "0.4"]
    assert tick_labels([0.0009996, 0.001, 0.0010004], 4e-7) == ["0.0009996", "0.0010000", "0.0010004"]
    assert tick_labels([0.0, 1e-7, 1.5e-7], 5e-8) == ["0", "1e-7", "1.5e-7"]
    assert nice_ceiling(0.00105) == 0.0012 and nice_ceiling(0.7) == 1.0 and nice_ceiling(0.0) == 1.0
    assert eta_text(None) == "" and eta_text(12.2) == "about 12 s left" and eta_text(300) == "about 5 min left"
