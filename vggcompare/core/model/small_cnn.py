"""The small CNN with dropout used by the 'popular answer, example 3' preset."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from vggcompare.core.resources import user_data_dir

CNN_FILE = "small_cnn_dropout_v1.keras"


def small_cnn_path() -> Path:
    """Where the small CNN's .keras file lives (it may not be built yet: see :func:`ensure_small_cnn`)."""
    return user_data_dir() / "models" / CNN_FILE


def ensure_small_cnn() -> Path:
    """Return the small CNN's .keras file, building it (seed 0, random weights) on first use."""
    path = small_cnn_path()
    folder = path.parent
    if path.is_file():
        return path
    from vggcompare.core.model.backend import import_tensorflow

    import_tensorflow()
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((64, 64, 3)),
            layers.Rescaling(1.0 / 255),
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ],
        name="small_cnn_with_dropout",
    )
    folder.mkdir(parents=True, exist_ok=True)
    # a name no other process uses, created by Keras itself so the file gets the umask's mode (mkstemp's is 0600)
    tmp = str(folder / f".{path.stem}-{os.getpid()}-{uuid.uuid4().hex[:8]}.keras")
    try:
        model.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
