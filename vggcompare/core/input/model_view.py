"""What the model sees: the picture as Keras' ``load_img`` gives it, or with one of two switches.

By default the array is exactly ``img_to_array(load_img(path, target_size=size,
interpolation=interpolation))``. Two switches, which sit with the pitfalls, reproduce what other
loaders do to the same file:

* ``apply-exif``: apply the EXIF orientation first, as photo viewers, OpenCV's ``imread`` and PIL's
  ``ImageOps.exif_transpose`` do;
* ``alpha-on-white``: composite transparent pixels on white, as a browser or an image editor shows them.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps

from vggcompare.core.input.images import LoadedImage, resize_for_model

LOADING_SWITCHES = ("apply-exif", "alpha-on-white")


def switched_image(loaded: LoadedImage, switches: tuple[str, ...] = ()) -> Image.Image:
    """The RGB picture with the loading switches in ``switches`` applied (others are ignored)."""
    exif = "apply-exif" in switches and loaded.exif_orientation != 1
    white = "alpha-on-white" in switches and loaded.transparent
    if loaded.raw is None or not (exif or white):
        return loaded.image
    im = loaded.raw
    if exif:
        im = ImageOps.exif_transpose(im)
    if white:
        rgba = im.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")
    return im if im.mode == "RGB" else im.convert("RGB")


def model_input(
    loaded: LoadedImage, size: tuple[int, int], interpolation: str = "nearest", switches: tuple[str, ...] = ()
) -> np.ndarray:
    """The float32 (height, width, 3) array in 0..255 the model's preprocessing receives.

    Parameters
    ----------
    loaded : LoadedImage
        The picture from `load_image`.
    size : (int, int)
        The model's input (height, width), Keras' ``target_size``.
    interpolation : str
        One of Keras' ``load_img`` names; nearest is its default.
    switches : tuple of str
        Any of ``apply-exif`` and ``alpha-on-white``; other names (the pitfalls) are ignored.

    Returns
    -------
    ndarray
        Bit-identical to ``img_to_array(load_img(...))`` when no switch changes the picture.
    """
    return resize_for_model(switched_image(loaded, switches), size, interpolation)


def switch_notes(loaded: LoadedImage, switches: tuple[str, ...]) -> list[str]:
    """Sentences saying which switches changed the picture, and which had nothing to act on."""
    notes = []
    if "apply-exif" in switches:
        notes.append(f"EXIF orientation {loaded.exif_orientation} applied, as a photo viewer does (Keras' load_img does not)."
                     if loaded.exif_orientation != 1 else "'apply EXIF orientation' changed nothing: the image has no EXIF rotation.")
    if "alpha-on-white" in switches:
        notes.append("Transparent pixels composited on white (Keras' load_img drops the alpha channel instead)."
                     if loaded.transparent else "'transparent pixels on white' changed nothing: the image has no transparency.")
    return notes
