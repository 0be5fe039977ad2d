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
    from keras.src.random.seed_generator import SeedGenerator

    class KeySeed(SeedGenerator):
        """A fixed seed tensor for ``keras.random``: ``next()`` returns it unchanged (stateless draws)."""

        def __init__(self, key):  # no state variable: nothing to advance
            self.key = key

        def next(self, ordered=True):
            return self.key

    class PassDropout(keras.layers.Layer):
        """Dropout that is always on, with a mask drawn per sample from that sample's key.

        The mask of pass i depends only on pass i's key, not on the batch it shares. The keys are
        the compiled forward function's second argument (see :class:`DropoutKeys`), so the same
        code runs under TensorFlow (tf.function) and JAX (jax.jit).
        """

        def __init__(self, rate: float, holder: "DropoutKeys", salt: int, **kwargs):
            super().__init__(**kwargs)
            self.rate = float(rate)
            self._holder = [holder]  # a list, so Keras does not try to track it
            self.salt = int(salt)
            self.active = True  # read when the call is traced: False passes x through (core.model.compiled)

        def call(self, x):
            if not self.active:
                return x
            keys = self._holder[0].current
            salt = keras.ops.convert_to_tensor([0, self.salt], dtype=keys.dtype)
            shape = tuple(x.shape[1:])
            rows = x.shape[0] if x.shape[0] is not None else keys.shape[0]  # model.predict traces with batch None
            masks = [keras.random.uniform(shape, seed=KeySeed(keys[i] + salt), dtype="float32") for i in range(rows)]
            keep = keras.ops.cast(keras.ops.stack(masks) >= self.rate, x.dtype)
            return x * keep / keras.ops.cast(1.0 - self.rate, x.dtype)

        def compute_output_shape(self, input_shape):
            return input_shape

    return PassDropout


class DropoutKeys:
    """The per-sample dropout keys of the forward call being traced, shared by all PassDropout layers.

    ``current`` is set by the compiled forward function to its keys argument, a (B, 2) tensor: int32
    under TensorFlow, uint32 under JAX (each backend's own seed type; the 32 bits are the same).
    """

    def __init__(self) -> None:
        self.current = None

    @staticmethod
    def as_backend_keys(keys: np.ndarray, backend: str) -> np.ndarray:
        """The keys (B, 2) as the backend's seed dtype, reinterpreting the same 32 bits."""
        words = np.asarray(keys, dtype=np.int64).astype(np.uint32)
        return words if backend == "jax" else words.view(np.int32)


def adds_dropout_layers(model: str) -> bool:
    """True for VGG19, whose MC dropout adds layers after fc1 and fc2; other models key their own Dropout layers."""
    return model in ("vgg19", "vgg19-random")


def with_dropout(model: Any, config: ExperimentConfig, holder: DropoutKeys) -> tuple[Any, int]:
    """Return a model whose dropout runs at inference, sharing weights with ``model``; and its Dropout count.

    A user's model gets its own Dropout layers replaced, inside nested models too; in training mode its
    augmentation layers are keyed per pass as well (core.model.keyed_augmentation)."""
    import keras

    from vggcompare.core.model.keyed_augmentation import keyed
    from vggcompare.core.model.layer_kinds import is_augmentation
    from vggcompare.core.model.nested import all_layers, rebuilt

    pass_dropout = _dropout_layer_class()
    if adds_dropout_layers(config.model):
        x = model.get_layer("flatten").output
        x = model.get_layer("fc1")(x)
        x = pass_dropout(config.dropout, holder, 1, name="mc_dropout_1")(x)
        x = model.get_layer("fc2")(x)
        x = pass_dropout(config.dropout, holder, 2, name="mc_dropout_2")(x)
        return keras.Model(model.inputs, model.get_layer("predictions")(x), name="vgg19_mc_dropout"), 2
    layers = all_layers(model)
    found = [layer for layer in layers if type(layer) is keras.layers.Dropout]
    augmenting = [layer for layer in layers if is_augmentation(layer)] if config.training_mode else []
    if not found and not augmenting:
        return model, 0
    dropout_numbers = {id(layer): n for n, layer in enumerate(found, start=1)}
    augment_numbers = {id(layer): n for n, layer in enumerate(augmenting, start=1)}

    def substitute(_path: str, layer: Any) -> Any:
        if id(layer) in dropout_numbers:
            return pass_dropout(layer.rate, holder, dropout_numbers[id(layer)], name=f"mc_{layer.name}")
        if id(layer) in augment_numbers:
            return keyed(layer, holder, augment_numbers[id(layer)])
        return None

    try:
        return rebuilt(model, substitute), len(found)
    except ValueError:  # a subclassed model: only its top-level layers can be swapped
        if augmenting:
            raise
        counter = iter(range(1, len(found) + 1))

        def clone(layer):
            if type(layer) is keras.layers.Dropout:
                return pass_dropout(layer.rate, holder, next(counter), name=f"mc_{layer.name}")
            return layer

        return keras.models.clone_model(model, clone_function=clone), len(found)
