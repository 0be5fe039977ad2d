"""EfficientNet-Lite0 in Keras 3, and its weights taken from a lukemelas-style PyTorch state dict.

The network is the one of tensorflow/tpu ``models/official/efficientnet/lite/efficientnet_lite_builder.py``:
EfficientNet-B0's seven stages of MBConv blocks without squeeze-and-excitation, ReLU6 in place of
swish, BatchNorm with epsilon 1e-3, a fixed 32-filter stem and 1280-filter head, and TensorFlow's
"same" padding (which pads strided convolutions more on the bottom and right). 4,694,024 parameters.
Layer names follow the state dict's keys (``_blocks.3._depthwise_conv`` becomes ``blocks_3_depthwise_conv``).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from vggcompare.core.errors import ModelError

INPUT_SIZE = (224, 224)
PARAMETERS = 4_694_024
# (repeats, kernel, stride, expand ratio, filters in, filters out): the builder's _DEFAULT_BLOCKS_ARGS, without SE
STAGES = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)
BN_EPSILON = 1e-3
DROPOUT = 0.2


def _blocks():
    """Yield (index, kernel, stride, expand, filters in, filters out) for the 16 blocks."""
    index = 0
    for repeats, kernel, stride, expand, f_in, f_out in STAGES:
        for r in range(repeats):
            yield index, kernel, stride if r == 0 else 1, expand, f_in if r == 0 else f_out, f_out
            index += 1


def build_lite0() -> Any:
    """Build EfficientNet-Lite0 (random weights) as a Keras functional model ending in a softmax over 1000 classes."""
    import keras
    from keras import layers

    def bn(x, name):
        return layers.BatchNormalization(epsilon=BN_EPSILON, momentum=0.99, name=name)(x)

    def relu6(x, name):
        return layers.ReLU(max_value=6.0, name=name)(x)

    inputs = keras.Input((*INPUT_SIZE, 3), name="image")
    x = layers.Conv2D(32, 3, strides=2, padding="same", use_bias=False, name="conv_stem")(inputs)
    x = relu6(bn(x, "bn0"), "stem_relu6")
    for i, kernel, stride, expand, f_in, f_out in _blocks():
        p = f"blocks_{i}_"
        y = x
        if expand != 1:
            y = layers.Conv2D(f_in * expand, 1, padding="same", use_bias=False, name=p + "expand_conv")(y)
            y = relu6(bn(y, p + "bn0"), p + "expand_relu6")
        y = layers.DepthwiseConv2D(kernel, strides=stride, padding="same", use_bias=False, name=p + "depthwise_conv")(y)
        y = relu6(bn(y, p + "bn1"), p + "depthwise_relu6")
        y = layers.Conv2D(f_out, 1, padding="same", use_bias=False, name=p + "project_conv")(y)
        y = bn(y, p + "bn2")
        if stride == 1 and f_in == f_out:
            y = layers.Add(name=p + "add")([y, x])
        x = y
    x = layers.Conv2D(1280, 1, padding="same", use_bias=False, name="conv_head")(x)
    x = relu6(bn(x, "bn1"), "head_relu6")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    x = layers.Dropout(DROPOUT, name="dropout")(x)
    outputs = layers.Dense(1000, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="efficientnet_lite0")


def _torch_name(layer_name: str) -> str:
    if layer_name.startswith("blocks_"):
        _, index, rest = layer_name.split("_", 2)
        return f"_blocks.{index}._{rest}"
    return "_fc" if layer_name == "predictions" else f"_{layer_name}"


def _take(state: Mapping[str, np.ndarray], key: str, shape: tuple) -> np.ndarray:
    value = state.get(key)
    if value is None:
        raise ModelError(f"the EfficientNet-Lite0 weights have no entry {key}")
    if value.dtype != np.float32 or tuple(value.shape) != shape:
        raise ModelError(f"the entry {key} has shape {tuple(value.shape)} ({value.dtype}), not {shape} (float32)")
    return value


def load_torch_weights(model: Any, state: Mapping[str, np.ndarray]) -> None:
    """Copy a lukemelas-style EfficientNet-Lite0 state dict into ``build_lite0()``'s model, checking every shape."""
    from keras import layers

    used = set()
    for layer in model.layers:
        key = _torch_name(layer.name)
        if isinstance(layer, layers.DepthwiseConv2D):  # torch (C, 1, kh, kw) -> Keras (kh, kw, C, 1)
            kh, kw, c, _ = layer.kernel.shape
            w = _take(state, key + ".weight", (c, 1, kh, kw))
            values = [w.transpose(2, 3, 0, 1)]
        elif isinstance(layer, layers.Conv2D):  # torch (out, in, kh, kw) -> Keras (kh, kw, in, out)
            kh, kw, c_in, c_out = layer.kernel.shape
            values = [_take(state, key + ".weight", (c_out, c_in, kh, kw)).transpose(2, 3, 1, 0)]
        elif isinstance(layer, layers.BatchNormalization):
            n = layer.gamma.shape[0]
            values = [_take(state, f"{key}.{part}", (n,)) for part in ("weight", "bias", "running_mean", "running_var")]
        elif isinstance(layer, layers.Dense):
            c_in, c_out = layer.kernel.shape
            values = [_take(state, key + ".weight", (c_out, c_in)).T, _take(state, key + ".bias", (c_out,))]
        else:
            continue
        layer.set_weights([np.ascontiguousarray(v) for v in values])
        used.update(k for k in state if k.startswith(key + "."))
    unused = sorted(k for k in state if k not in used and not k.endswith("num_batches_tracked"))
    if unused:
        raise ModelError(f"the EfficientNet-Lite0 weights hold {len(unused)} entries this network has no place for ({unused[0]}, …)")
