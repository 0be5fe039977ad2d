"""Validation of the augmentation settings of both engines, and their normal forms.

Kept apart from ``config.py`` because it is one idea of its own: what each augmentation engine accepts, in its own units.

The ``generator`` engine takes Keras' legacy ``ImageDataGenerator`` arguments in their own forms:
``rotation_range`` in degrees; ``width_shift_range``/``height_shift_range`` as a float (a fraction
below 1, pixels from 1), an int (whole pixels, drawn from ``range(n)`` with a random sign) or a list
(one value drawn, with a random sign); ``shear_range`` in degrees; ``zoom_range`` as a float z
(factors in [1-z, 1+z]) or a ``[lo, hi]`` pair. The ``layers`` engine takes Keras 3's layer factors:
``RandomRotation(factor)`` in fractions of a full turn, ``RandomTranslation`` and ``RandomZoom``
factors as fractions, ``RandomShear(x_factor)``.
"""

from __future__ import annotations

from typing import Any

from vggcompare.core.errors import ConfigError

ENGINES = ("generator", "layers")
FILL_MODES = ("nearest", "constant", "reflect", "wrap")
MAX_SHIFT_PIXELS = 4096


def normalise_ranges(cfg: Any) -> None:
    """Turn list-valued ranges of a frozen AugmentConfig into tuples (hashable, equal after JSON)."""
    for name in ("width_shift", "height_shift", "zoom"):
        value = getattr(cfg, name)
        if isinstance(value, list):
            object.__setattr__(cfg, name, tuple(value))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _check(what: str, value: Any, low: float, high: float) -> None:
    if not _number(value):
        raise ConfigError(f"{what} must be a number from {low:g} to {high:g}, not {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{what} must be from {low:g} to {high:g}, not {value:g}")


def _check_shift(what: str, value: Any) -> None:
    if isinstance(value, tuple):
        if not 1 <= len(value) <= 64 or not all(_number(v) and abs(v) <= MAX_SHIFT_PIXELS for v in value):
            raise ConfigError(f"{what} as a list must hold 1 to 64 numbers, each within ±{MAX_SHIFT_PIXELS}")
        return
    _check(what, value, 0.0, MAX_SHIFT_PIXELS)


def _check_zoom(what: str, value: Any, low: float, high: float) -> None:
    if isinstance(value, tuple):
        if len(value) != 2 or not all(_number(v) for v in value) or not low <= value[0] <= value[1] <= high:
            raise ConfigError(f"{what} as a pair must be [lo, hi] with {low:g} <= lo <= hi <= {high:g}, not {list(value)!r}")
        return
    _check(what, value, 0.0, 0.95)


def check_augment(cfg: Any) -> None:
    """Raise ConfigError, with one sentence naming the setting, if an augmentation value is invalid."""
    if cfg.engine not in ENGINES:
        raise ConfigError(f"augmentation engine must be one of {', '.join(ENGINES)}, not {cfg.engine!r}")
    if cfg.fill_mode not in FILL_MODES:
        raise ConfigError(f"fill mode must be one of {', '.join(FILL_MODES)}, not {cfg.fill_mode!r}")
    _check("cval (fill value)", cfg.cval, -1e6, 1e6)
    if cfg.engine == "generator":
        _check("rotation_range (degrees)", cfg.rotation, 0.0, 180.0)
        _check_shift("width_shift_range", cfg.width_shift)
        _check_shift("height_shift_range", cfg.height_shift)
        _check("shear_range (degrees)", cfg.shear, 0.0, 80.0)
        _check_zoom("zoom_range", cfg.zoom, 0.05, 10.0)
        if cfg.rescale is not None:
            _check("rescale", cfg.rescale, -1e6, 1e6)
        return
    _check("RandomRotation factor (fraction of a turn)", cfg.rotation, 0.0, 1.0)
    for what, value in (("RandomTranslation width_factor", cfg.width_shift), ("RandomTranslation height_factor", cfg.height_shift)):
        _check(what, value, 0.0, 1.0)
    _check("RandomShear x_factor", cfg.shear, 0.0, 1.0)
    _check_zoom("RandomZoom factor", cfg.zoom, -0.95, 10.0)
    if cfg.rescale is not None or cfg.preprocess_first:
        raise ConfigError("rescale and preprocessing before augmentation belong to the generator engine, not the layers engine")
