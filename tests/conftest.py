"""Shared fixtures: tiny models and images made in the tests, never downloaded."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# never touch the real user's history or model cache from the tests
os.environ["VGGCOMPARE_DATA_DIR"] = tempfile.mkdtemp(prefix="vggcompare-test-data-")
# nor Keras' cache: EfficientNet-Lite0's conversion is cached here once per session (tests that need an empty
# or a damaged cache point KERAS_HOME elsewhere themselves)
os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="vggcompare-test-keras-")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PIL import Image


def _save_model(model, path):
    model.save(path)
    return str(path)


NAMED_LABELS = ["tabby cat", "Egyptian cat", "tiger cat", "lynx", "coffee mug",
                "espresso", "space shuttle", "astronaut", "golden retriever", "broccoli"]


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    """The tests' one set of small .keras classifiers (32×32 input, 10 classes): with dropout, without
    dropout, and one that outputs logits; labels "thing 0".."thing 9", readable ImageNet-like names,
    and a labels file of 3 lines that matches no model."""
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
    (folder / "names.txt").write_text("\n".join(NAMED_LABELS) + "\n", encoding="utf-8")
    (folder / "three.txt").write_text("a\nb\nc\n", encoding="utf-8")
    return {
        "dropout": _save_model(body(True), folder / "tiny.keras"),
        "plain": _save_model(body(False), folder / "tiny_plain.keras"),
        "logits": _save_model(body(False, activation=None), folder / "tiny_logits.keras"),
        "labels": str(labels),
        "names": str(folder / "names.txt"),
        "bad_labels": str(folder / "three.txt"),
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


@pytest.fixture
def make_result():
    """A factory of small hand-made RunResults (3 classes, no TensorFlow), for storage and view tests.

    ``make_result(name="a", created="2026-11-25T10:00:00", spread=0.0, **config_changes)``: passes
    differ by ``spread``; the verdict is computed from the numbers, as the engine does.
    """
    from vggcompare.core.analysis.records import Environment, Timings
    from vggcompare.core.analysis.result import RunResult, Thumbnail
    from vggcompare.core.analysis.stats import compute_statistics
    from vggcompare.core.analysis.verdict import run_verdict
    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.input.images import encode_png

    labels = ["cat", "dog", "fish"]
    y, x = np.mgrid[0:64, 0:96]
    picture = np.stack([x * 2, y * 3, (x + y) % 256], axis=-1).astype(np.uint8)

    def make(name: str = "", created: str = "2026-11-25T10:00:00", spread: float = 0.0, **changes):
        config = ExperimentConfig(**{"model": "vgg19-random", "passes": 4, "seeding": "once", **changes})
        base = np.array([0.7, 0.2, 0.1])
        probs = np.stack([base + spread * np.array([-i, i, 0]) for i in range(config.passes)]).astype(np.float32)
        stats = compute_statistics(probs, labels)
        aug = [{"rotation_deg": 0.0}] * config.passes if config.augment.enabled else []
        return RunResult(
            config=config, labels=labels, probabilities=probs, augmentation=aug, environment=Environment(), timings=Timings(),
            thumbnails=[Thumbnail(0, encode_png(picture), "pass 1")], name=name, created=created,
            verdict=run_verdict(stats, labels, config, dropout_active=config.dropout is not None),
        )

    return make


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


@pytest.fixture(scope="session")
def bn_models(tmp_path_factory):
    """32×32 classifiers with BatchNorm: one with a Dropout layer too, one without (moving statistics set away
    from 0 and 1, so that batch statistics really differ from them)."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(5)
    folder = tmp_path_factory.mktemp("bn")
    out = {}
    for name, dropout in (("bn_dropout", True), ("bn", False)):
        parts = [keras.Input((32, 32, 3)), layers.Rescaling(1 / 255), layers.Conv2D(6, 3), layers.BatchNormalization(),
                 layers.Activation("relu"), layers.GlobalAveragePooling2D(), layers.Dense(16, activation="relu")]
        parts += [layers.Dropout(0.5)] if dropout else []
        model = keras.Sequential([*parts, layers.Dense(10, activation="softmax")])
        bn = model.layers[2]
        bn.moving_mean.assign(np.full(6, 0.3, np.float32))
        bn.moving_variance.assign(np.full(6, 2.0, np.float32))
        out[name] = str(folder / f"{name}.keras")
        model.save(out[name])
    return out
