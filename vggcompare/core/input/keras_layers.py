"""The ``layers`` engine: Keras 3's preprocessing layers, exactly as a plain script stacks them.

The tool builds, right after ``keras.utils.set_random_seed(S)``, the same ``keras.Sequential`` a
user's script would (see `script`), and calls it once per pass on a batch of one image with
``training=True``. Each layer's call is its ``get_random_transformation`` followed by its
``transform_images``; the tool makes those two calls itself, so it can record what was drawn. Layers
with a zero setting are left out, as a script would leave them out. Fill mode and fill value apply
to every geometric layer; Keras' own default fill mode for these layers is ``reflect``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vggcompare.core.config import AugmentConfig

# The layers engine's defaults, in its own units: ±18° (0.05 of a turn), shifts 0.2, shear 0.1, zoom 0.2, reflect.
LAYERS_DEFAULTS = AugmentConfig(engine="layers", rotation=0.05, shear=0.1, fill_mode="reflect")


def layer_specs(cfg: AugmentConfig) -> list[tuple[str, dict[str, Any]]]:
    """(class name, keyword arguments) of each layer in the stack, in order."""
    fill = {"fill_mode": cfg.fill_mode, "fill_value": float(cfg.cval)}
    specs: list[tuple[str, dict[str, Any]]] = []
    if cfg.horizontal_flip:
        specs.append(("RandomFlip", {"mode": "horizontal"}))
    if cfg.rotation:
        specs.append(("RandomRotation", {"factor": cfg.rotation, **fill}))
    if cfg.height_shift or cfg.width_shift:
        specs.append(("RandomTranslation", {"height_factor": cfg.height_shift, "width_factor": cfg.width_shift, **fill}))
    if cfg.shear:
        specs.append(("RandomShear", {"x_factor": cfg.shear, **fill}))
    zoom = cfg.zoom if isinstance(cfg.zoom, tuple) else (-cfg.zoom, cfg.zoom) if cfg.zoom else None
    if zoom is not None and zoom != (0, 0):
        specs.append(("RandomZoom", {"height_factor": zoom, **fill}))
    return specs


def script(cfg: AugmentConfig, seed: int, one_line: bool = False) -> str:
    """The plain Keras 3 script whose passes this engine reproduces (or its gist on one line)."""
    layers = [f"keras.layers.{name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})" for name, kwargs in layer_specs(cfg)]
    if one_line:
        return f"keras.utils.set_random_seed({seed}); augment = keras.Sequential([{', '.join(layers)}])"
    lines = ["import keras", f"keras.utils.set_random_seed({seed})", "augment = keras.Sequential(["]
    lines += [f"    {layer}," for layer in layers]
    lines += ["])", "# pass i: augment(x[None], training=True), x = img_to_array(load_img(...))"]
    return "\n".join(lines)


def build(cfg: AugmentConfig, seed: int):
    """Seed Keras as a script does, then build the stack (the layers take their seeds from Python's random)."""
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential([getattr(keras.layers, name)(**kwargs) for name, kwargs in layer_specs(cfg)])


def _number(value: Any) -> float:
    from keras import ops

    return float(np.asarray(ops.convert_to_numpy(value)).reshape(-1)[0])


def _record(name: str, t: dict[str, Any]) -> dict[str, Any]:
    from keras import ops

    if name == "RandomFlip":
        return {"flip": bool(np.asarray(ops.convert_to_numpy(t["flips"])).reshape(-1)[0])}
    if name == "RandomRotation":
        return {"angle": _number(t["angle"])}
    if name == "RandomTranslation":
        px = np.asarray(ops.convert_to_numpy(t["translations"]), dtype=np.float64).reshape(-1)
        return {"translate_x_px": float(px[0]), "translate_y_px": float(px[1])}
    if name == "RandomShear":
        s = np.asarray(ops.convert_to_numpy(t["shear_factor"]), dtype=np.float64).reshape(-1)
        return {"shear_x": float(s[0]), "shear_y": float(s[1])}
    return {"height_zoom": _number(t["height_zoom"]), "width_zoom": _number(t["width_zoom"])}


def run_pass(stack, image: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """One call of the stack on one (H, W, 3) float32 image: the augmented image and what was drawn."""
    from keras import ops

    x = ops.convert_to_tensor(np.asarray(image, dtype=np.float32)[None])
    record: dict[str, Any] = {}
    for layer in stack.layers:
        t = layer.get_random_transformation(x, training=True)
        x = layer.transform_images(x, t, training=True)
        record.update(_record(type(layer).__name__, t))
    return np.asarray(ops.convert_to_numpy(x), dtype=np.float32)[0], record


def describe(p: dict[str, Any]) -> str:
    """What the layers did to the picture, in words."""
    parts = ["flipped left-right, then"] if p.get("flip") else []  # RandomFlip is the first layer of the stack
    if abs(p.get("angle", 0.0)) >= 0.05:
        parts.append(f"rotated {abs(p['angle']):.1f}° {'counter-clockwise' if p['angle'] > 0 else 'clockwise'}")
    right, down = p.get("translate_x_px", 0.0), p.get("translate_y_px", 0.0)
    if abs(right) >= 0.5:
        parts.append(f"moved {abs(right):.0f} px {'right' if right > 0 else 'left'}")
    if abs(down) >= 0.5:
        parts.append(f"moved {abs(down):.0f} px {'down' if down > 0 else 'up'}")
    for key, where in (("shear_x", "across"), ("shear_y", "down")):
        if abs(p.get(key, 0.0)) >= 0.001:
            parts.append(f"sheared {p[key]:+.3f} {where}")
    if "height_zoom" in p and (abs(p["height_zoom"] - 1) >= 0.005 or abs(p["width_zoom"] - 1) >= 0.005):
        parts.append(f"magnified {1 / p['width_zoom']:.2f}× across, {1 / p['height_zoom']:.2f}× down")
    if parts == ["flipped left-right, then"]:
        return "flipped left-right"
    return ", ".join(parts).replace("then,", "then") or "unchanged"
