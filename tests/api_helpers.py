"""Small models for the Python API's tests, built in the test process (never downloaded)."""

from __future__ import annotations

import numpy as np


def probe_model(name: str = "probe", size: int = 32):
    """Flatten → Dense(10, kernel stddev 1e-5) → softmax: probabilities near 0.1 that move with every pixel."""
    import keras

    keras.utils.set_random_seed(3)
    return keras.Sequential([keras.Input((size, size, 3)), keras.layers.Flatten(),
                             keras.layers.Dense(10, kernel_initializer=keras.initializers.RandomNormal(stddev=1e-5)),
                             keras.layers.Softmax()], name=name)


def batchnorm_model():
    """A probe with BatchNorm and Dropout, so training mode changes the output and BatchNorm's moving statistics."""
    import keras

    keras.utils.set_random_seed(4)
    return keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(4, 3), keras.layers.BatchNormalization(),
                             keras.layers.GlobalAveragePooling2D(), keras.layers.Dropout(0.3),
                             keras.layers.Dense(10, activation="softmax")], name="bn_probe")


def picture(seed: int = 0, height: int = 48, width: int = 64) -> np.ndarray:
    """An H×W×3 uint8 picture with structure."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([(x * 4 + seed) % 256, (y * 5 + 3 * seed) % 256, (x * y + seed) % 256], axis=-1).astype(np.uint8)
