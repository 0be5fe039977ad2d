"""Shared fixtures: tiny models and images made in the tests, never downloaded."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# never touch the real user's history or model cache from the tests
os.environ["VGGCOMPARE_DATA_DIR"] = tempfile.mkdtemp(prefix="vggcompare-test-data-")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PIL import Image


def _save_model(model, path):
    model.save(path)
    return str(path)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    """Small .keras classifiers: with dropout, without dropout, and one that outputs logits."""
    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()
    import keras
    from keras import layers

    keras.utils.set_random_seed(1)
    folder = tmp_path_factory.mktemp("models")

    def body(dropout: bool, activation="softmax"):
        parts = [
            keras.Input((32, 32, 3)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(16, activation="relu"),
        ]
        if dropout:
            parts.append(layers.Dropout(0.5))
        parts.append(layers.Dense(10, activation=activation))
        return keras.Sequential(parts)

    labels = folder / "labels.txt"
    labels.write_text("\n".join(f"thing {i}" for i in range(10)) + "\n")
    return {
        "dropout": _save_model(body(True), folder / "tiny_dropout.keras"),
        "plain": _save_model(body(False), folder / "tiny_plain.keras"),
        "logits": _save_model(body(False, activation=None), folder / "tiny_logits.keras"),
        "labels": str(labels),
        "folder": folder,
    }


@pytest.fixture(scope="session")
def photo(tmp_path_factory):
    """A 64x48 RGB test picture with structure (so augmentation visibly changes it)."""
    y, x = np.mgrid[0:48, 0:64]
    arr = np.stack([x * 4 % 256, y * 5 % 256, (x * y) % 256], axis=-1).astype(np.uint8)
    path = tmp_path_factory.mktemp("img") / "photo.png"
    Image.fromarray(arr).save(path)
    return str(path)


@pytest.fixture(scope="session")
def probe_model(tmp_path_factory):
    """(path, model): 32x32x3 -> Flatten -> Dense(10, stddev 1e-5) -> softmax; every pixel moves its output."""
    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()
    import keras

    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax",
                                                 kernel_initializer=keras.initializers.RandomNormal(stddev=1e-5))])
    path = tmp_path_factory.mktemp("probe") / "probe.keras"
    model.save(path)
    return str(path), model
