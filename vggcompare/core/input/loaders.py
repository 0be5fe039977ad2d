"""The picture as the user's own loader gives it: Keras' ``load_img``, ``image_dataset_from_directory``'s
per-file path (TensorFlow's decoder and resizer), or OpenCV's ``imread`` and ``resize``.

Each loader is its library's own call on the file's bytes, with that library's EXIF and alpha
behaviour, which :func:`loader_input` writes into the run's notes. The TensorFlow loader imports
TensorFlow, so it runs in the engine's process (the window never imports it).
"""

from __future__ import annotations

import re

import numpy as np

from vggcompare.core.errors import ImageError
from vggcompare.core.input.images import LoadedImage
from vggcompare.core.input.model_view import model_input

# Suffixes image_dataset_from_directory lists (keras.src.utils.image_dataset_utils.ALLOWLIST_FORMATS)
DATASET_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CV_INTERPOLATION = {"nearest": "INTER_NEAREST", "bilinear": "INTER_LINEAR", "bicubic": "INTER_CUBIC",
                     "area": "INTER_AREA", "lanczos4": "INTER_LANCZOS4"}


def loader_input(loaded: LoadedImage, size: tuple[int, int], config) -> tuple[np.ndarray, list[str]]:
    """The float32 (height, width, 3) array in 0..255 the chosen loader gives, and notes on what it did.

    Parameters
    ----------
    loaded : LoadedImage
        The file as `load_image` read it (its ``data`` holds the file's bytes).
    size : (int, int)
        The model's input (height, width).
    config : ExperimentConfig
        Its ``loader``, ``interpolation``, ``antialias``, ``dct_method`` and ``pitfalls`` are used.

    Raises
    ------
    ImageError
        One sentence naming the loader when it cannot decode this file.
    """
    if config.loader == "load-img":
        return model_input(loaded, size, config.interpolation, config.pitfalls), []
    if loaded.data is None:
        raise ImageError(f"The {config.loader} loader needs the image file's bytes, and '{loaded.source}' came without them.")
    if config.loader == "tf-dataset":
        return tf_dataset_input(loaded, size, config.interpolation, config.antialias, config.dct_method)
    if config.loader == "opencv":
        return opencv_input(loaded, size, config.interpolation, "opencv-bgr" in config.pitfalls)
    raise ImageError(f"unknown loader {config.loader!r}")


def is_jpeg(data: bytes) -> bool:
    """True when the bytes start with a JPEG's SOI marker."""
    return data[:3] == b"\xff\xd8\xff"


def tf_dataset_input(loaded: LoadedImage, size: tuple[int, int], interpolation: str = "bilinear",
                     antialias: bool = False, dct_method: str = "default") -> tuple[np.ndarray, list[str]]:
    """What ``image_dataset_from_directory(image_size=size)`` yields for this file (its ``_load_image_tf``):
    ``tf.image.decode_image(channels=3, expand_animations=False)`` then ``tf.image.resize(method=interpolation)``;
    with a DCT method, JPEGs decode with ``tf.io.decode_jpeg(channels=3, dct_method=...)``."""
    import tensorflow as tf

    name, data = loaded.source, loaded.data
    jpeg = dct_method != "default" and is_jpeg(data)
    call = f"tf.io.decode_jpeg(dct_method='{dct_method}')" if jpeg else "tf.image.decode_image"
    try:
        raw = tf.constant(data)
        img = tf.io.decode_jpeg(raw, channels=3, dct_method=dct_method) if jpeg else \
            tf.image.decode_image(raw, channels=3, expand_animations=False)
        out = tf.image.resize(img, size, method=interpolation, antialias=antialias)
    except Exception as exc:  # noqa: BLE001 - TensorFlow's InvalidArgumentError and kin
        detail = re.sub(r"\{\{.*?\}\}", "", (str(exc).strip().splitlines() or [type(exc).__name__])[0])
        detail = " ".join(detail.split(" [Op:")[0].split()).rstrip(". ")[:120]
        raise ImageError(f"TensorFlow's {call} cannot decode '{name}' ({loaded.format or 'unknown'} file: {detail}).") from None
    notes = [f"Loaded as image_dataset_from_directory does: {call}, then tf.image.resize({interpolation}"
             f"{', antialias=True' if antialias else ''})."]
    if dct_method != "default" and not jpeg:
        notes.append(f"The DCT method {dct_method} changed nothing: this file is not a JPEG.")
    notes.extend(_library_notes(loaded, "TensorFlow's decode_image", exif_applied=False))
    if not name.lower().endswith(DATASET_SUFFIXES) and not name.startswith("<"):
        notes.append("image_dataset_from_directory would skip this file: it lists only "
                     f"{', '.join(DATASET_SUFFIXES)} files.")
    return np.asarray(out.numpy(), dtype=np.float32), notes


def opencv_input(loaded: LoadedImage, size: tuple[int, int], interpolation: str = "bilinear",
                 skip_bgr_to_rgb: bool = False) -> tuple[np.ndarray, list[str]]:
    """``cv2.imread`` (as ``cv2.imdecode(IMREAD_COLOR)`` of the same bytes), ``cv2.cvtColor(BGR2RGB)``
    unless the pitfall skips it, and ``cv2.resize(interpolation=INTER_...)`` to the model's size."""
    import cv2

    flag = _CV_INTERPOLATION[interpolation]
    bgr = cv2.imdecode(np.frombuffer(loaded.data, np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ImageError(f"OpenCV's cv2.imread cannot decode '{loaded.source}' ({loaded.format or 'unknown'} file).")
    img = bgr if skip_bgr_to_rgb else cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    height, width = size
    img = cv2.resize(img, (width, height), interpolation=getattr(cv2, flag))
    notes = [f"Loaded as OpenCV code does: cv2.imread, {'no cv2.cvtColor (the pitfall: the model gets BGR)' if skip_bgr_to_rgb else 'cv2.cvtColor(BGR2RGB)'}, "
             f"cv2.resize({flag})."]
    notes.extend(_library_notes(loaded, "OpenCV's imread", exif_applied=True))
    return np.asarray(img, dtype=np.float32), notes


def _library_notes(loaded: LoadedImage, who: str, exif_applied: bool) -> list[str]:
    """What this loader does with the file's EXIF orientation, transparency and frames."""
    notes = []
    if loaded.exif_orientation != 1:
        notes.append(f"{who} {'applies' if exif_applied else 'ignores'} the EXIF orientation "
                     f"{loaded.exif_orientation}" + (" (load_img does not)." if exif_applied else ", as load_img does."))
    if loaded.transparent:
        notes.append(f"{who} drops the alpha channel: the model sees the colours stored under transparent pixels.")
    if loaded.frame_count > 1:
        notes.append(f"{who} reads the first of {loaded.frame_count} frames.")
    return notes
