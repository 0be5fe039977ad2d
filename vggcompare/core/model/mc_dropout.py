"""Monte Carlo dropout: dropout that stays on at inference, with a mask keyed per pass.

VGG19 gets a dropout layer after fc1 and fc2 (as it was trained); a user's model gets its own
Dropout layers replaced. The mask of pass i depends only on pass i's key, never on its batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vggcompare.core.config import ExperimentConfig


def _dropout_layer_class():
    import keras
    import tensorflow as tf

    class PassDropout(keras.layers.Layer):
        """Dropout that is always on, with a mask drawn per sample from that sample's key.

        The mask of pass i depends only on pass i's key, not on the batch it shares.
        """

        def __init__(self, rate: float, holder: "DropoutKeys", salt: int, **kwargs):
            super().__init__(**kwargs)
            self.rate = float(rate)
            self._holder = [holder]  # a list, so Keras does not try to track it
            self.salt = int(salt)

        def call(self, x):
            keys = self._holder[0].variable
            shape = tf.shape(x)[1:]
            salt = tf.constant([0, self.salt], dtype=tf.int64)

            def one(key):
                return tf.random.stateless_uniform(shape, seed=key + salt, dtype=tf.float32)

            u = tf.map_fn(one, keys[: tf.shape(x)[0]], fn_output_signature=tf.float32)
            keep = tf.cast(u >= self.rate, x.dtype)
            return x * keep / tf.cast(1.0 - self.rate, x.dtype)

        def compute_output_shape(self, input_shape):
            return input_shape

    return PassDropout


class DropoutKeys:
    """The per-sample dropout keys of the current forward call, shared by all PassDropout layers."""

    def __init__(self) -> None:
        import tensorflow as tf

        self.variable = tf.Variable(tf.zeros((1, 2), tf.int64), shape=tf.TensorShape([None, 2]), trainable=False)

    def set(self, keys: np.ndarray) -> None:
        """Set the keys for the next forward call: one (2,) int64 key per sample."""
        self.variable.assign(np.asarray(keys, dtype=np.int64))


def with_dropout(model: Any, config: ExperimentConfig, holder: DropoutKeys) -> tuple[Any, int]:
    """Return a model whose dropout runs at inference, sharing weights with ``model``."""
    import keras

    pass_dropout = _dropout_layer_class()
    if config.model in ("vgg19", "vgg19-random"):
        x = model.get_layer("flatten").output
        x = model.get_layer("fc1")(x)
        x = pass_dropout(config.dropout, holder, 1, name="mc_dropout_1")(x)
        x = model.get_layer("fc2")(x)
        x = pass_dropout(config.dropout, holder, 2, name="mc_dropout_2")(x)
        return keras.Model(model.inputs, model.get_layer("predictions")(x), name="vgg19_mc_dropout"), 2
    found = [layer for layer in model.layers if type(layer) is keras.layers.Dropout]
    if not found:
        return model, 0
    counter = iter(range(1, len(found) + 1))

    def clone(layer):
        if type(layer) is keras.layers.Dropout:
            return pass_dropout(layer.rate, holder, next(counter), name=f"mc_{layer.name}")
        return layer

    return keras.models.clone_model(model, clone_function=clone), len(found)

