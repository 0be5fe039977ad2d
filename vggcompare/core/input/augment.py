"""Random augmentation with the semantics of Keras' old ImageDataGenerator, batched on Keras 3 ops.

Each pass draws its own parameters from its own generator, so pass i's draw depends only on the
seed and i, never on the batch it is computed in. The transform is the generator's: rotation,
shift, shear and zoom about the image centre (output-to-input mapping), then a horizontal flip,
with bilinear sampling and the chosen fill mode.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from vggcompare.core.config import AugmentConfig

_FILL = {"nearest": "nearest", "constant": "constant", "reflect": "reflect", "wrap": "wrap"}


def draw_parameters(cfg: AugmentConfig, rng: np.random.Generator, height: int, width: int) -> dict[str, Any]:
    """Draw one pass's augmentation parameters; always draws the same number of values."""
    u = rng.uniform(-1.0, 1.0, size=6)
    flip_draw = rng.uniform()
    zoom_x = 1.0 + cfg.zoom * float(u[4])
    zoom_y = 1.0 + cfg.zoom * float(u[5])
    return {
        "rotation_deg": cfg.rotation * float(u[0]),
        "shift_x_frac": cfg.width_shift * float(u[1]),
        "shift_y_frac": cfg.height_shift * float(u[2]),
        "shift_x_px": cfg.width_shift * float(u[1]) * width,
        "shift_y_px": cfg.height_shift * float(u[2]) * height,
        "shear_deg": cfg.shear * float(u[3]),
        "zoom_x": zoom_x,
        "zoom_y": zoom_y,
        "flip": bool(cfg.horizontal_flip and flip_draw < 0.5),
    }


def describe(params: dict[str, Any]) -> str:
    """A short caption of what one augmentation did, e.g. 'rotated 12.4°, flipped, zoom 0.91'."""
    if not params:
        return "as loaded"
    parts = []
    if abs(params["rotation_deg"]) >= 0.05:
        parts.append(f"rotated {params['rotation_deg']:+.1f}°")
    if abs(params["shift_x_px"]) >= 0.5 or abs(params["shift_y_px"]) >= 0.5:
        parts.append(f"shift {params['shift_x_px']:+.0f},{params['shift_y_px']:+.0f} px")
    if abs(params["shear_deg"]) >= 0.05:
        parts.append(f"shear {params['shear_deg']:+.1f}°")
    if abs(params["zoom_x"] - 1) >= 0.005 or abs(params["zoom_y"] - 1) >= 0.005:
        parts.append(f"zoom {params['zoom_x']:.2f}×{params['zoom_y']:.2f}")
    if params["flip"]:
        parts.append("flipped")
    return ", ".join(parts) or "unchanged"


def transform_vector(params: dict[str, Any], height: int, width: int) -> np.ndarray:
    """The 8-number output-to-input projective transform Keras' affine_transform expects."""
    theta = math.radians(params["rotation_deg"])
    shear = math.radians(params["shear_deg"])
    # ImageDataGenerator's matrices, in (row, col) coordinates.
    rot = np.array([[math.cos(theta), -math.sin(theta), 0], [math.sin(theta), math.cos(theta), 0], [0, 0, 1]])
    shift = np.array([[1, 0, params["shift_y_px"]], [0, 1, params["shift_x_px"]], [0, 0, 1]])
    shr = np.array([[1, -math.sin(shear), 0], [0, math.cos(shear), 0], [0, 0, 1]])
    zoom = np.array([[params["zoom_y"], 0, 0], [0, params["zoom_x"], 0], [0, 0, 1]])
    m = rot @ shift @ shr @ zoom
    cr, cc = height / 2 - 0.5, width / 2 - 0.5
    to_center = np.array([[1, 0, cr], [0, 1, cc], [0, 0, 1]])
    from_center = np.array([[1, 0, -cr], [0, 1, -cc], [0, 0, 1]])
    m = to_center @ m @ from_center
    swap = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]])  # (row, col) <-> (x, y)
    mxy = swap @ m @ swap
    if params["flip"]:
        mxy = mxy @ np.array([[-1, 0, width - 1], [0, 1, 0], [0, 0, 1]])
    return np.array([mxy[0, 0], mxy[0, 1], mxy[0, 2], mxy[1, 0], mxy[1, 1], mxy[1, 2], 0, 0], dtype=np.float32)


def apply_augmentation(batch: np.ndarray, params: Sequence[dict[str, Any]], fill_mode: str) -> np.ndarray:
    """Apply each pass's drawn transform to its image in a (B, H, W, 3) float32 batch, in one op."""
    from keras import ops

    b, h, w, _ = batch.shape
    transforms = np.stack([transform_vector(p, h, w) for p in params])
    out = ops.image.affine_transform(
        batch, transforms, interpolation="bilinear", fill_mode=_FILL[fill_mode], fill_value=0.0, data_format="channels_last"
    )
    return np.asarray(ops.convert_to_numpy(out), dtype=np.float32)
