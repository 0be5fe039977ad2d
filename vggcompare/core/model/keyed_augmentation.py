"""The model's own augmentation layers with their randomness keyed per pass, so a seeded run repeats.

Keras' augmentation layers draw from a seed generator whose state moves on with every call, so the same image
gets another transform in a repeat of the run, and a row's transform depends on the rows beside it. Wrapped
here, each row is augmented alone, with its random draws seeded from that pass's key (the keys the keyed
Dropout layers use, with a salt of the layer's own). Layers that mix the rows of a call (MixUp, CutMix) are
called on the whole call with its first row's key: the engine runs them one pass per call.
"""

from __future__ import annotations

from typing import Any

from vggcompare.core.model.layer_kinds import ROW_MIXING

SALT_BASE = 1000  # the keyed Dropout layers use salts 1, 2, …; augmentation layers 1001, 1002, …


def _layer_class():
    import keras
    from keras.src.random.seed_generator import SeedGenerator

    class CountingKeySeed(SeedGenerator):
        """A fixed key for ``keras.random``: the n-th draw of one call gets key + (0, n), so draws differ."""

        def __init__(self, key):  # no state variable: nothing to advance between calls
            self.key = key
            self.count = 0

        def next(self, ordered=True):
            self.count += 1
            return self.key + keras.ops.convert_to_tensor([0, 7919 * self.count], dtype=self.key.dtype)

    class PassAugmentation(keras.layers.Layer):
        """An augmentation layer called row by row, each row's draws from its pass's key.

        ``active``: None follows the call's ``training`` flag; True or False forces it (a part of training mode,
        read when the call is traced, see core.model.compiled). Inactive, the layer runs as at inference."""

        def __init__(self, layer: Any, holder: Any, salt: int, **kwargs):
            super().__init__(name=f"keyed_{layer.name}", **kwargs)
            self._wrapped = [layer]  # a list, so Keras does not track it twice (it stays the model's own layer)
            self._holder = [holder]
            self.salt = int(salt)
            self.active = None

        @property
        def wrapped(self) -> Any:
            """The model's own augmentation layer."""
            return self._wrapped[0]

        def call(self, x, training=None):
            layer = self.wrapped
            on = bool(training) if self.active is None else self.active
            keys = self._holder[0].current
            if not on or keys is None:
                return layer(x, training=False)
            salt = keras.ops.convert_to_tensor([0, self.salt], dtype=keys.dtype)
            saved = layer.generator
            try:
                if type(layer).__name__ in ROW_MIXING:  # one pass per call: the call's rows are that pass
                    object.__setattr__(layer, "generator", CountingKeySeed(keys[0] + salt))
                    return layer(x, training=True)
                rows = x.shape[0] if x.shape[0] is not None else keys.shape[0]
                out = []
                for i in range(rows):
                    object.__setattr__(layer, "generator", CountingKeySeed(keys[i] + salt))
                    out.append(layer(x[i : i + 1], training=True))
                return keras.ops.concatenate(out, axis=0)
            finally:
                object.__setattr__(layer, "generator", saved)

        def compute_output_shape(self, input_shape):
            return self.wrapped.compute_output_shape(input_shape)

    return PassAugmentation


def keyed(layer: Any, holder: Any, number: int) -> Any:
    """``layer`` (an augmentation layer of the model) wrapped so its draws come from the passes' keys."""
    return _layer_class()(layer, holder, SALT_BASE + number)
