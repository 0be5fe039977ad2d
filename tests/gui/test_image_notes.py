"""The window tells the user what happened to an odd image (first frame of a GIF, transparency)."""

from __future__ import annotations

import pytest
from PIL import Image

pytestmark = pytest.mark.gui


def test_an_animated_gif_loads_its_first_frame_and_the_window_says_so(window, tmp_path, open_image):
    frames = [Image.new("RGB", (40, 30), c) for c in ("red", "green", "blue")]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    open_image(window, path)
    caption = window.image_panel.picture_caption.text()
    assert "Animated GIF with 3 frames: using the first frame." in caption
    assert window.image_panel.loaded.image.getpixel((0, 0)) == (255, 0, 0)


def test_transparency_is_kept_as_keras_keeps_it_and_the_window_says_so(window, tmp_path, open_image):
    path = tmp_path / "clear.png"
    Image.new("RGBA", (20, 20), (255, 0, 0, 0)).save(path)
    open_image(window, path)
    assert "load_img drops the alpha channel" in window.image_panel.picture_caption.text()
    assert window.image_panel.loaded.image.getpixel((5, 5)) == (255, 0, 0)  # the stored colour, as load_img gives it
