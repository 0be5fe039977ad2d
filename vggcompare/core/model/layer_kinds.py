"""What a model's own layers do, nested models opened: BatchNorm, Dropout, augmentation and preprocessing layers.

Keras' image augmentation layers act when the model is called with ``training=True``: the ``Random*`` layers and
those not named so (AugMix, CutMix, MixUp, RandAugment, Solarization). RandomCrop is documented to crop the centre
at inference, but Keras 3 (3.15 included) passes the image through uncropped then (keras-team/keras#21868): what
the installed Keras does is asked of the layer itself (:func:`crops_at_inference`). MixUp and CutMix mix each row
with another row of the same call; inside a model they get no labels, so only the images are mixed. Rescaling and
Normalization layers preprocess the input inside the model.
"""

from __future__ import annotations

from typing import Any

from vggcompare.core.model.nested import iter_layers

AUGMENTATION = frozenset({
    "AugMix", "CutMix", "MixUp", "RandAugment", "Solarization", "GaussianNoise",
    "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomCrop",
    "RandomBrightness", "RandomHeight", "RandomWidth", "RandomShear", "RandomHue", "RandomSaturation",
    "RandomGrayscale", "RandomColorJitter", "RandomColorDegeneration", "RandomSharpness", "RandomPosterization",
    "RandomInvert", "RandomPerspective", "RandomElasticTransform", "RandomErasing", "RandomGaussianBlur",
})
ROW_MIXING = frozenset({"MixUp", "CutMix"})  # each row mixed with another row of the same call
PREPROCESSING = frozenset({"Rescaling", "Normalization"})


def is_augmentation(layer: Any) -> bool:
    """True for a Keras image augmentation layer (random in training mode)."""
    name = type(layer).__name__
    return name in AUGMENTATION or (name.startswith("Random") and hasattr(layer, "generator"))


def _degrees(factor: Any) -> str:
    low, high = (-factor, factor) if isinstance(factor, (int, float)) else tuple(factor)
    return f"{low * 360:+.0f}° to {high * 360:+.0f}°"


def _fraction(factor: Any) -> str:
    low, high = (-factor, factor) if isinstance(factor, (int, float)) else tuple(factor)
    return f"{low:+.0%} to {high:+.0%}"


_FLIPS = {"horizontal": "left to right", "vertical": "upside down",
          "horizontal_and_vertical": "left to right and upside down"}


def describe_augmentation(layer: Any) -> str:
    """'RandomFlip (flips the image horizontally at random)': the layer's class and what it does, from its settings."""
    name = type(layer).__name__
    cfg = layer.get_config() if hasattr(layer, "get_config") else {}
    what = {
        "RandomFlip": lambda: f"flips the image {_FLIPS.get(cfg.get('mode'), '')} at random",
        "RandomRotation": lambda: f"rotates the image by a random angle from {_degrees(cfg.get('factor', 0))}",
        "RandomZoom": lambda: f"zooms by a random factor (height {_fraction(cfg.get('height_factor', 0))})",
        "RandomTranslation": lambda: (f"shifts the image by a random fraction (height {_fraction(cfg.get('height_factor', 0))}, "
                                      f"width {_fraction(cfg.get('width_factor', 0))})"),
        "RandomContrast": lambda: f"changes the contrast by a random factor ({_fraction(cfg.get('factor', 0))})",
        "RandomBrightness": lambda: f"changes the brightness by a random amount ({_fraction(cfg.get('factor', 0))})",
        "RandomCrop": lambda: _crop_words(layer, cfg),
        "MixUp": lambda: "mixes each image with another image of the same call; inside a model it gets no labels to mix",
        "CutMix": lambda: "pastes a patch of another image of the same call; inside a model it gets no labels to mix",
        "GaussianNoise": lambda: f"adds Gaussian noise (std {cfg.get('stddev')})",
    }.get(name, lambda: "changes the image at random")
    return f"{name} ({what()})"


def crops_at_inference(layer: Any) -> bool:
    """True when the installed Keras' RandomCrop crops at inference (``training=False``), as its documentation says.

    Asked of the layer itself on a blank image 2 pixels larger than its crop: Keras 3.15 returns that image
    uncropped (keras-team/keras#21868).
    """
    import numpy as np

    height, width = int(layer.height), int(layer.width)
    first = getattr(layer, "data_format", "channels_last") == "channels_first"
    blank = np.zeros((1, 3, height + 2, width + 2) if first else (1, height + 2, width + 2, 3), np.float32)
    shape = tuple(layer(blank, training=False).shape)
    return (shape[2:4] if first else shape[1:3]) == (height, width)


def uncropped_at_inference(model: Any) -> list[Any]:
    """The RandomCrop layers of ``model`` (nested models opened) that pass the image through uncropped at inference."""
    return [layer for _path, layer in iter_layers(model) if type(layer).__name__ == "RandomCrop" and not crops_at_inference(layer)]


def _crop_words(layer: Any, cfg: dict) -> str:
    crop = f"{cfg.get('height')}×{cfg.get('width')}"
    if crops_at_inference(layer):
        return f"crops a random {crop} window in training mode, and the centre {crop} at inference"
    return (f"crops a random {crop} window in training mode; at inference this Keras passes the image through "
            "uncropped, as keras-team/keras#21868 reports")


def augmentation_layers(model: Any) -> list[str]:
    """What each augmentation layer of ``model`` does (nested models opened), in order."""
    return [describe_augmentation(layer) for _path, layer in iter_layers(model) if is_augmentation(layer)]


def _numbers(value: Any) -> str:
    """A scale, offset, mean or variance as written in a sentence: one number, or a short list."""
    import numpy as np

    flat = np.ravel(np.asarray(value, dtype=np.float64)) if value is not None else np.zeros(0)
    if flat.size == 0:
        return "?"
    if np.allclose(flat, flat[0]):
        return f"{flat[0]:.4g}"
    return "[" + ", ".join(f"{v:.4g}" for v in flat[:4]) + (", …" if flat.size > 4 else "") + "]"


def describe_preprocessing(layer: Any) -> str:
    """'Rescaling (×0.007843, -1 added)': a preprocessing layer inside the model and what it does to the pixels."""
    name = type(layer).__name__
    if name == "Rescaling":
        return f"Rescaling (×{_numbers(layer.scale)}, {_numbers(layer.offset)} added)"
    import numpy as np

    mean = getattr(layer, "mean", None)
    variance = getattr(layer, "variance", None)
    std = None if variance is None else np.sqrt(np.maximum(np.asarray(variance, dtype=np.float64), 0.0))
    if getattr(layer, "invert", False):
        return f"Normalization, inverted (× std {_numbers(std)}, + mean {_numbers(mean)})"
    return f"Normalization (− mean {_numbers(mean)}, ÷ std {_numbers(std)})"


def preprocessing_layers(model: Any) -> list[str]:
    """What each Rescaling or Normalization layer of ``model`` does (nested models opened: EfficientNet, ConvNeXt)."""
    return [describe_preprocessing(layer) for _path, layer in iter_layers(model) if type(layer).__name__ in PREPROCESSING]


def count_layers(model: Any) -> dict[str, int]:
    """How many BatchNorm, Dropout and augmentation layers ``model`` has, nested models included."""
    counts = {"batchnorm": 0, "dropout": 0, "augmentation": 0}
    for _path, layer in iter_layers(model):
        name = type(layer).__name__
        counts["batchnorm"] += "BatchNormalization" in name
        counts["dropout"] += "Dropout" in name
        counts["augmentation"] += is_augmentation(layer)
    return counts
