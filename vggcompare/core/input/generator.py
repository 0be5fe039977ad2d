"""The ``generator`` engine: Keras' legacy ``ImageDataGenerator``, reproduced bit for bit.

``ImageDataGenerator(**args).flow(x, batch_size=1, seed=S)`` seeds NumPy's legacy global generator
with ``S + i`` before batch i, then draws, in this order and only for non-zero settings: the
rotation, ``tx`` from ``height_shift_range``, ``ty`` from ``width_shift_range``, the shear, both
zooms, then always two flip draws. ``tx`` is the column offset of its matrix, so
``height_shift_range`` moves the picture sideways and ``width_shift_range`` up and down: a known
Keras behaviour (keras-team/keras#17398, keras-team/tf-keras#310). The transform is
``scipy.ndimage.affine_transform`` (order 1) per channel in the generator's fill mode, then the flip,
then ``rescale``. Here each pass draws from its own ``RandomState(S + i)``, which equals the seeded
global generator and leaves the user's global state alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vggcompare.core.config import AugmentConfig

def keras_arguments(cfg: AugmentConfig) -> dict[str, Any]:
    """The ``ImageDataGenerator`` keyword arguments, under the generator's own names, that these settings are."""
    args = {"rotation_range": cfg.rotation, "width_shift_range": _plain(cfg.width_shift),
            "height_shift_range": _plain(cfg.height_shift), "shear_range": cfg.shear, "zoom_range": _plain(cfg.zoom),
            "horizontal_flip": cfg.horizontal_flip, "fill_mode": cfg.fill_mode, "cval": cfg.cval, "rescale": cfg.rescale}
    return {k: v for k, v in args.items() if k in ("fill_mode", "horizontal_flip") or v}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _shift(rs: np.random.RandomState, value: Any, size: int) -> float:
    """One shift draw, exactly as ``get_random_transform`` makes it."""
    if not value:
        return 0.0
    value = list(value) if isinstance(value, tuple) else value
    try:  # 1-D array-like or int
        t = rs.choice(value)
        t *= rs.choice([-1, 1])
    except ValueError:  # floating point
        t = rs.uniform(-value, value)
    if np.max(value) < 1:
        t *= size
    return float(t)


def draw(cfg: AugmentConfig, seed: int, height: int, width: int) -> dict[str, Any]:
    """The generator's transform parameters for the batch drawn after ``np.random.seed(seed)``."""
    rs = np.random.RandomState(seed)
    theta = float(rs.uniform(-cfg.rotation, cfg.rotation)) if cfg.rotation else 0.0
    tx = _shift(rs, cfg.height_shift, height)
    ty = _shift(rs, cfg.width_shift, width)
    shear = float(rs.uniform(-cfg.shear, cfg.shear)) if cfg.shear else 0.0
    lo, hi = cfg.zoom if isinstance(cfg.zoom, tuple) else (1 - cfg.zoom, 1 + cfg.zoom)
    zx, zy = (1.0, 1.0) if lo == 1 and hi == 1 else (float(v) for v in rs.uniform(lo, hi, 2))
    flip = bool((rs.random() < 0.5) * cfg.horizontal_flip)
    rs.random()  # the vertical flip's draw, made even when vertical_flip is off
    return {"seed": int(seed), "theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy, "flip_horizontal": flip}


def _matrix(p: dict[str, Any], h: int, w: int) -> np.ndarray | None:
    """``apply_affine_transform``'s output-to-input matrix in (row, col) order, or None for the identity."""
    m = None
    if p["theta"] != 0:
        t = np.deg2rad(p["theta"])
        m = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
    if p["tx"] != 0 or p["ty"] != 0:
        s = np.array([[1, 0, p["tx"]], [0, 1, p["ty"]], [0, 0, 1]])
        m = s if m is None else np.dot(m, s)
    if p["shear"] != 0:
        sh = np.deg2rad(p["shear"])
        s = np.array([[1, -np.sin(sh), 0], [0, np.cos(sh), 0], [0, 0, 1]])
        m = s if m is None else np.dot(m, s)
    if p["zx"] != 1 or p["zy"] != 1:
        s = np.array([[p["zx"], 0, 0], [0, p["zy"], 0], [0, 0, 1]])
        m = s if m is None else np.dot(m, s)
    if m is None:
        return None
    o_x, o_y = float(h) / 2 - 0.5, float(w) / 2 - 0.5  # Keras passes (h, w) as (x, y) here
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    m = np.dot(np.dot(offset, m), reset)
    m[:, [0, 1]] = m[:, [1, 0]]
    m[[0, 1]] = m[[1, 0]]
    return m


def apply(image: np.ndarray, p: dict[str, Any], cfg: AugmentConfig) -> np.ndarray:
    """Transform one float32 (H, W, C) image as ``apply_transform`` then ``standardize`` (rescale) do."""
    from scipy import ndimage

    x = np.asarray(image, dtype=np.float32)
    m = _matrix(p, x.shape[0], x.shape[1])
    if m is not None:
        channels = [ndimage.affine_transform(c, m[:2, :2], m[:2, 2], order=1, mode=cfg.fill_mode, cval=cfg.cval)
                    for c in np.rollaxis(x, 2, 0)]
        x = np.rollaxis(np.stack(channels, axis=0), 0, 3)
    if p["flip_horizontal"]:
        x = x[:, ::-1]
    x = np.array(x, dtype=np.float32)
    if cfg.rescale:
        x *= cfg.rescale
    return x


def describe(p: dict[str, Any]) -> str:
    """What happened to the picture, in words: 'rotated 12° clockwise, moved 30 px right, ...'."""
    parts = []
    if abs(p["theta"]) >= 0.05:  # output-to-input rotation by theta in (x right, y down) turns the picture against theta
        parts.append(f"rotated {abs(p['theta']):.1f}° {'counter-clockwise' if p['theta'] > 0 else 'clockwise'}")
    right, down = -p["tx"], -p["ty"]  # the output samples the input at +tx: the picture moves by -tx
    if abs(right) >= 0.5:
        parts.append(f"moved {abs(right):.0f} px {'right' if right > 0 else 'left'}")
    if abs(down) >= 0.5:
        parts.append(f"moved {abs(down):.0f} px {'down' if down > 0 else 'up'}")
    if abs(p["shear"]) >= 0.05:
        parts.append(f"sheared {p['shear']:+.1f}°")
    if abs(p["zx"] - 1) >= 0.005 or abs(p["zy"] - 1) >= 0.005:
        parts.append(f"magnified {1 / p['zx']:.2f}× across, {1 / p['zy']:.2f}× down")
    text = ", ".join(parts)
    if p["flip_horizontal"]:  # the generator flips after the affine transform
        text = f"{text}, then flipped left-right" if text else "flipped left-right"
    return text or "unchanged"
