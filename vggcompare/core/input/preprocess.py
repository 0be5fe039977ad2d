"""Input preprocessing, the correct way and the common mistakes, in NumPy.

``caffe`` mode is what ``keras.applications.vgg19.preprocess_input`` does: RGB to BGR, then
subtract the ImageNet means (B, G, R) = (103.939, 116.779, 123.68), with no scaling. This
module never modifies its input; the pitfalls reproduce real mistakes on purpose.
"""

from __future__ import annotations

import numpy as np

from vggcompare.core.errors import ConfigError
from vggcompare.core.option_rules import why_not

CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float32)
TORCH_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
TORCH_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

PITFALL_EXPLANATIONS = {
    "double-preprocess": "preprocess_input applied twice to the same array (it works in place), so the means are subtracted twice",
    "rescale-after-preprocess": "rescale=1./255 applied after preprocess_input, as in the popular answer's ImageDataGenerator",
    "no-bgr-swap": "the means subtracted without swapping RGB to BGR",
    "apply-exif": "apply EXIF orientation: the photo turned upright as photo viewers, OpenCV's imread and PIL's "
                  "exif_transpose show it (Keras' load_img ignores the EXIF orientation)",
    "alpha-on-white": "transparent pixels on white, as browsers and image editors show them (Keras' load_img "
                      "drops the alpha channel and keeps the stored colours)",
}


def _apply_mode(x: np.ndarray, mode: str, swap: bool = True) -> np.ndarray:
    """Apply one preprocessing mode to a float32 array of RGB values in 0..255; returns a new array."""
    if mode == "caffe":
        y = x[..., ::-1].copy() if swap else x.copy()
        y[..., 0] -= CAFFE_MEAN_BGR[0]
        y[..., 1] -= CAFFE_MEAN_BGR[1]
        y[..., 2] -= CAFFE_MEAN_BGR[2]
        return y
    if mode == "tf":
        y = x / np.float32(127.5)
        y -= np.float32(1.0)
        return y
    if mode == "torch":
        y = x / np.float32(255.0)
        y -= TORCH_MEAN
        y /= TORCH_STD
        return y
    if mode == "lite":  # EfficientNet-Lite's MEAN_RGB 127 and STDDEV_RGB 128 (tensorflow/tpu efficientnet_lite_builder.py)
        y = x - np.float32(127.0)
        y /= np.float32(128.0)
        return y
    if mode == "none":
        return x.copy()
    raise ConfigError(f"preprocessing mode must be caffe, tf, torch, lite or none, not {mode!r}")


def preprocess(batch: np.ndarray, mode: str, pitfalls: tuple[str, ...] = ()) -> np.ndarray:
    """Preprocess a float32 batch of RGB images (values 0..255) for the model.

    Parameters
    ----------
    batch : ndarray, float32, shape (..., H, W, 3)
        RGB pixel values in 0..255. It is never modified.
    mode : {"caffe", "tf", "torch", "lite", "none"}
        The model's preprocessing; VGG19 uses ``caffe``, EfficientNet-Lite0 ``lite`` ((x − 127) / 128).
    pitfalls : tuple of str
        Mistakes to reproduce: ``double-preprocess``, ``rescale-after-preprocess``, ``no-bgr-swap``.

    Returns
    -------
    ndarray
        A new float32 array, what the model receives.
    """
    x = np.asarray(batch, dtype=np.float32)
    reason = why_not("pitfalls=no-bgr-swap", {"effective_preprocess": mode})
    if "no-bgr-swap" in pitfalls and reason:
        raise ConfigError(reason)
    swap = "no-bgr-swap" not in pitfalls
    y = _apply_mode(x, mode, swap)
    if "double-preprocess" in pitfalls:
        if mode == "caffe" and swap:
            # preprocess_input(x) twice on one buffer: the second call returns a BGR view of the
            # already-shifted buffer with the means subtracted again.
            y = _apply_mode(y[..., ::-1], mode, swap)
        else:
            y = _apply_mode(y, mode, swap)
    if "rescale-after-preprocess" in pitfalls:
        y *= np.float32(1.0 / 255.0)
    return y
