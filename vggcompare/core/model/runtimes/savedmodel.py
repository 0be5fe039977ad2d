"""The SavedModel runtime: ``model.export(path, format="tf_saved_model")``, served by ``tf.saved_model.load(path).serve``.

Under the JAX backend Keras makes the SavedModel through jax2tf; it is loaded and served by TensorFlow either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

CALL = "model.export(path, format='tf_saved_model'); tf.saved_model.load(path).serve"


def converter() -> dict[str, str]:
    """The converter's name and version (Keras' export, on TensorFlow's SavedModel writer)."""
    import keras
    import tensorflow as tf

    return {"converter": "keras.Model.export (tf_saved_model)", "keras": keras.__version__, "tensorflow": tf.__version__}


def make(model: Any, path: Path) -> None:
    """Export ``model`` as a SavedModel folder at ``path``, with Keras' own call."""
    model.export(str(path), format="tf_saved_model", verbose=False)


class SavedModelRunner:
    """A loaded SavedModel; the loaded object is kept, as its variables live only as long as it does."""

    runtime_versions: dict[str, str]

    def __init__(self, path: Path) -> None:
        import tensorflow as tf

        self._tf = tf
        self.loaded = tf.saved_model.load(str(path))
        self.serve = self.loaded.serve
        self.runtime_versions = {"tensorflow": tf.__version__}

    def forward(self, batch: np.ndarray) -> np.ndarray:
        """``serve`` on a (B, H, W, 3) float32 batch; (B, C) float32."""
        return np.asarray(self.serve(self._tf.constant(batch)).numpy(), dtype=np.float32)
