"""Nested models opened: every layer at any depth, the real last operation, and inner outputs made reachable."""

from __future__ import annotations

import numpy as np
import pytest

from vggcompare.core.model.nested import iter_layers, last_operation, layer_outputs_model, rebuilt


def _two_levels():
    """outer: Rescaling -> middle(Dense-free conv block -> inner(conv -> BN -> GAP -> Dense -> Softmax))."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(2)
    i = keras.Input((12, 12, 4))
    x = layers.Conv2D(5, 3, name="inner_conv")(i)
    x = layers.BatchNormalization(name="inner_bn")(x)
    x = layers.GlobalAveragePooling2D(name="inner_pool")(x)
    inner = keras.Model(i, layers.Softmax(name="inner_softmax")(layers.Dense(7, name="inner_dense")(x)), name="inner")
    middle = keras.Sequential([keras.Input((12, 12, 3)), layers.Conv2D(4, 1, name="middle_conv"), inner], name="middle")
    o = keras.Input((12, 12, 3))
    outer = keras.Model(o, middle(layers.Rescaling(1 / 255, name="scale")(o), training=False), name="outer")
    return outer, inner


def test_every_layer_at_any_depth_is_listed_with_its_path():
    outer, _inner = _two_levels()
    assert [path for path, _layer in iter_layers(outer)] == [
        "scale", "middle/middle_conv", "middle/inner/inner_conv", "middle/inner/inner_bn", "middle/inner/inner_pool",
        "middle/inner/inner_dense", "middle/inner/inner_softmax"]


def test_the_last_operation_is_found_inside_nested_models():
    outer, inner = _two_levels()
    assert last_operation(outer) is inner.get_layer("inner_softmax")


def test_an_inner_output_taken_from_its_tensors_is_disconnected_but_the_rebuilt_graph_reaches_it():
    import keras

    outer, inner = _two_levels()
    with pytest.raises(ValueError, match="[Gg]raph disconnected|not connected"):
        keras.Model(outer.inputs, inner.get_layer("inner_bn").output)
    view, names = layer_outputs_model(outer, lambda layer: type(layer).__name__ in ("BatchNormalization", "Softmax"))
    assert names == ["middle/inner/inner_bn", "middle/inner/inner_softmax"]
    x = np.random.default_rng(0).uniform(0, 255, (3, 12, 12, 3)).astype(np.float32)
    bn, out = view.predict(x, verbose=0)
    assert np.array_equal(out, outer.predict(x, verbose=0))
    features = keras.Model(inner.inputs, inner.get_layer("inner_bn").output)
    middle_conv = outer.get_layer("middle").get_layer("middle_conv")
    assert np.allclose(bn, features.predict(middle_conv(x / 255.0), verbose=0), rtol=1e-5, atol=1e-6)


def test_the_rebuilt_graph_shares_the_weights_and_the_training_flag():
    outer, inner = _two_levels()
    flat = rebuilt(outer)
    assert not any(type(layer).__name__ in ("Functional", "Sequential") for layer in flat.layers)
    x = np.random.default_rng(1).uniform(0, 255, (4, 12, 12, 3)).astype(np.float32)
    bn = inner.get_layer("inner_bn")
    bn.moving_mean.assign(np.full(5, 0.4, np.float32))
    saved = [v.numpy().copy() for v in outer.non_trainable_variables]
    assert np.array_equal(np.asarray(flat(x, training=False)), np.asarray(outer(x, training=False)))
    trained = np.asarray(outer(x, training=True))  # Keras 3 passes the outer training flag to the nested model
    for v, value in zip(outer.non_trainable_variables, saved):
        v.assign(value)
    assert np.allclose(np.asarray(flat(x, training=True)), trained, rtol=1e-5, atol=1e-7)
    assert not np.allclose(trained, np.asarray(outer(x, training=False)), atol=1e-6)
