"""The experiment configuration: a frozen, validated, JSON-serialisable description of one run.

Every source of variation is a switch with honest units. ``ExperimentConfig.validate()`` checks
bounds and consistency and raises :class:`ConfigError` with one sentence naming the field.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from vggcompare.core.catalog import builtin_names, lookup
from vggcompare.core.augment_checks import ENGINES, FILL_MODES, check_augment, normalise_ranges  # noqa: F401 - re-exported
from vggcompare.core.config_checks import check_choice, check_int, check_range
from vggcompare.core.errors import ConfigError
from vggcompare.core import option_rules
from vggcompare.core.runtime_rules import RUNTIMES  # noqa: F401 - re-exported with the other choices

MODELS_BUILTIN = builtin_names()  # vgg19, vgg19-random, efficientnet-lite0, resnet50, resnet50-random, …
SEEDINGS = ("off", "once", "every-pass")
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos", "box", "hamming")
PREPROCESS_MODES = ("auto", "caffe", "tf", "torch", "lite", "none")
PREPROCESS_PITFALLS = ("double-preprocess", "rescale-after-preprocess", "no-bgr-swap")
PITFALLS = ("double-preprocess", "rescale-after-preprocess", "no-bgr-swap", "apply-exif", "alpha-on-white", "opencv-bgr")
# How the user's code reads the file (core.input.loaders), each loader's own resize methods (its default first)
LOADERS = ("load-img", "tf-dataset", "opencv")
LOADER_INTERPOLATIONS = {"load-img": INTERPOLATIONS, "opencv": ("bilinear", "nearest", "bicubic", "area", "lanczos4"),
                         "tf-dataset": ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")}
DEFAULT_INTERPOLATION = {loader: methods[0] for loader, methods in LOADER_INTERPOLATIONS.items()}
DCT_METHODS = ("default", "INTEGER_FAST", "INTEGER_ACCURATE")
CALLS = ("compiled", "predict", "eager", "xla")  # how the model is called (core.model.compiled)
TRAINING_PARTS = ("all", "batchnorm", "dropout", "augmentation")  # training mode whole, or BatchNorm's batch
# statistics, Dropout, or the model's own augmentation layers alone
PRECISIONS = ("float32", "bfloat16")
H5_READERS = ("keras", "tf-keras")  # how an .h5 model file is read: Keras 3 (safe mode) or tf_keras (Keras 2)
KERNELS = ("default", "onednn", "eigen")  # TensorFlow's CPU kernel library: the CPU's default, or forced
BACKENDS = ("tensorflow", "jax")  # Keras backends
EXPLAIN_METHODS = ("gradcam", "occlusion")  # explanation maps (core.analysis.explanation)
EXPLAIN_FIELDS = ("explain", "explain_class", "explain_passes")  # left out of to_dict when off, as older files lack them
# Where the model is served, left out of to_dict at their defaults (older files lack them)
RUNTIME_DEFAULTS = {"runtime": "keras", "tflite_xnnpack": True, "tflite_threads": None, "calibration": None,
                    "reference_model": None}
FUNCTION_FIELDS = ("loader_function", "preprocess_function")  # the user's own functions (Python API); left out when None
MAX_EXPLAINED = 256
MAX_TRAINING_CALLS = 1000

MAX_PASSES = 100_000
MAX_SEED = 2**32 - 1
MAX_BATCH = 256
MAX_THREADS = 256


@dataclass(frozen=True)
class AugmentConfig:
    """Random augmentation by Keras' legacy ImageDataGenerator or Keras 3's layers, each in its own units.

    Defaults: the popular answer's generator (rotation 20°, shifts 0.2, shear 0.2°, zoom 0.2, flip, nearest).
    """

    enabled: bool = False
    rotation: float = 20.0  # generator: degrees; layers: RandomRotation factor (fraction of a turn)
    width_shift: Any = 0.2  # generator: float, int or list (width_shift_range); layers: a fraction
    height_shift: Any = 0.2  # generator: height_shift_range (which Keras applies sideways); layers: a fraction
    shear: float = 0.2  # generator: degrees (as in Keras since 2017); layers: RandomShear x_factor
    zoom: Any = 0.2  # generator: z or [lo, hi]; layers: RandomZoom factor
    horizontal_flip: bool = True  # flip with probability 0.5
    fill_mode: str = "nearest"
    engine: str = "generator"  # "generator" (legacy ImageDataGenerator) or "layers" (Keras 3 layers)
    cval: float = 0.0  # fill value for fill_mode "constant"
    rescale: float | None = None  # the generator's rescale, applied last (after preprocessing)
    preprocess_first: bool = False  # preprocess_input before the generator, as the popular answer does

    def __post_init__(self) -> None:  # lists become tuples, so a config equals itself read back from JSON
        normalise_ranges(self)

    def validate(self) -> None:
        """Raise ConfigError if a value is out of range."""
        check_augment(self)


@dataclass(frozen=True)
class ExperimentConfig:
    """Everything that defines one run of N forward passes on one image."""

    image: str | None = None
    model: str = "vgg19"  # a built-in name (core.catalog: "vgg19", "resnet50-random", …) or a .keras/.h5 path
    weights: str | None = None  # local ImageNet weights file for a built-in keras.applications model
    labels: str | None = None  # labels file for a custom model, one class per line
    passes: int = 20
    seeding: str = "off"
    seed: int = 42
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    reinit_weights: bool = False  # vgg19-random only: new random weights for every pass
    dropout: float | None = None  # None: off; else MC dropout rate (inserted layers in VGG19)
    interpolation: str = "nearest"
    preprocess: str = "auto"  # "auto" = the built-in model's own preprocess_input mode, "none" for a model file
    pitfalls: tuple[str, ...] = ()
    batch_size: int | None = None  # passes per forward call; None = automatic
    precision: str = "float32"
    deterministic_ops: bool = False
    threads: int | None = None  # intra-op threads; None = TensorFlow's default
    # Settings fixed when the engine's backend starts (see core.model.backend.EngineSettings):
    kernels: str = "default"  # TensorFlow's CPU kernel library: "default" (the CPU decides), "onednn", "eigen"
    backend: str = "tensorflow"  # the Keras backend: "tensorflow" or "jax"
    # The user's own pipeline (older result files lack these and read as load-img / compiled):
    loader: str = "load-img"  # "load-img", "tf-dataset" (image_dataset_from_directory's path) or "opencv"
    antialias: bool = False  # tf-dataset: tf.image.resize(antialias=True)
    dct_method: str = "default"  # tf-dataset, JPEGs: tf.io.decode_jpeg(dct_method=...)
    call: str = "compiled"  # "compiled", "predict", "eager" or "xla"
    training_mode: bool = False  # call with training=True (BatchNorm uses the batch's statistics)
    training_part: str = "all"  # in training mode: "all", "batchnorm" (Dropout kept off), "dropout" (BatchNorm inference),
    # "augmentation" (the model's own augmentation layers alone)
    training_calls_before: int = 0  # K calls with training=True before the passes, keeping BatchNorm's updated statistics
    batch_neighbours: str = "none"  # "none", "samples" or a folder whose images share each forward call
    explain: str | None = None  # None, "gradcam" or "occlusion": a map for each of the first K passes
    explain_class: str | None = None  # a label or a 0-based class number; None: the top-1 of the mean
    explain_passes: int | None = None  # K; None: min(N, 16)
    h5_reader: str = "keras"  # an .h5 model file read by "keras" (Keras 3, safe mode) or "tf-keras" (Keras 2)
    # The user's word that a model form which is a program (a SavedModel, tf_keras' .h5) may run (core.model.trust).
    # Never written to a file, so a result reproduced elsewhere asks again.
    trust_model: bool = False
    # Where the model is served (core.runtime_rules, core.model.runtimes):
    runtime: str = "keras"  # "keras" (the model's own call) or an export: savedmodel, tflite…, onnxruntime
    tflite_xnnpack: bool = True  # TFLite: the XNNPACK delegate (off: BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    tflite_threads: int | None = None  # TFLite: the interpreter's num_threads; None: its default
    calibration: str | None = None  # tflite-int8: a folder of representative images; None: the bundled photos
    reference_model: str | None = None  # a user's exported file: the Keras file it came from, for comparisons
    # The caller's own functions (vggcompare.api), by name: they replace the loader or the preprocessing, and only a
    # caller holding them can run the configuration again (core.input.user_functions.UserPipeline):
    loader_function: str | None = None
    preprocess_function: str | None = None

    @property
    def is_custom_model(self) -> bool:
        """True when ``model`` names a user's model file rather than a built-in model."""
        return lookup(self.model) is None

    @property
    def model_preprocess(self) -> str:
        """The model's own preprocess_input mode (``auto``'s choice): caffe for VGG19, none for a model file."""
        found = lookup(self.model)
        return "none" if found is None else found[0].preprocess

    @property
    def effective_preprocess(self) -> str:
        """The preprocessing mode actually used once ``auto`` is resolved."""
        if self.preprocess != "auto":
            return self.preprocess
        return self.model_preprocess

    def validate(self) -> "ExperimentConfig":
        """Raise ConfigError for any out-of-range or inconsistent setting; return self."""
        if not isinstance(self.model, str) or not self.model.strip():
            raise ConfigError("model must be a built-in name (vggcompare models lists them) or the path of a .keras or .h5 file")
        check_int("number of passes", self.passes, 1, MAX_PASSES)
        check_choice("seeding", self.seeding, SEEDINGS)
        check_int("seed", self.seed, 0, MAX_SEED)
        if not isinstance(self.augment, AugmentConfig):
            raise ConfigError("augment must be an AugmentConfig")
        self.augment.validate()
        if self.dropout is not None:
            check_range("dropout rate", self.dropout, 0.0, 0.99)
            if self.dropout <= 0.0:
                raise ConfigError("dropout rate must be above 0 (leave dropout off instead)")
        _check_pipeline(self)
        check_choice("preprocessing mode", self.preprocess, PREPROCESS_MODES)
        for name in self.pitfalls:
            check_choice("pitfall", name, PITFALLS)
        if len(set(self.pitfalls)) != len(self.pitfalls):
            raise ConfigError("each pitfall may be given only once")
        if self.batch_size is not None:
            check_int("passes per call (batch size)", self.batch_size, 1, MAX_BATCH)
        check_choice("precision", self.precision, PRECISIONS)
        if self.threads is not None:
            check_int("thread count", self.threads, 1, MAX_THREADS)
        check_choice("kernel library", self.kernels, KERNELS)
        check_choice("Keras backend", self.backend, BACKENDS)
        self._validate_runtime()
        option_rules.check(self)  # each option's requirements and conflicts (core.option_rules)
        self._validate_explain()
        for name in FUNCTION_FIELDS:
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigError(f"{name.replace('_', ' ')} must be the name of a function, not {value!r}")
        return self

    def _validate_runtime(self) -> None:
        check_choice("runtime", self.runtime, RUNTIMES)
        if not isinstance(self.tflite_xnnpack, bool):
            raise ConfigError("XNNPACK must be true or false")
        if self.tflite_threads is not None:
            check_int("interpreter thread count", self.tflite_threads, 1, MAX_THREADS)
        if self.calibration is not None and (not isinstance(self.calibration, str) or not self.calibration.strip()):
            raise ConfigError("the calibration folder must be a folder of images")
        # what an export's runtime cannot do, and whose settings these are: rules of core.option_rules

    def _validate_explain(self) -> None:
        if self.explain is not None:
            check_choice("explanation method", self.explain, EXPLAIN_METHODS)
        if self.explain_class is not None and (not isinstance(self.explain_class, str) or not self.explain_class.strip()):
            raise ConfigError(f"the class to explain must be a label or a class number, not {self.explain_class!r}")
        if self.explain_passes is not None:
            check_int("number of passes to explain", self.explain_passes, 1, MAX_EXPLAINED)

    def replace(self, **changes: Any) -> "ExperimentConfig":
        """Return a copy with some fields changed (``augment`` may be a dict of changes)."""
        aug = changes.get("augment")
        if isinstance(aug, dict):
            changes["augment"] = dataclasses.replace(self.augment, **aug)
        if "pitfalls" in changes:
            changes["pitfalls"] = tuple(changes["pitfalls"])
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        data = dataclasses.asdict(self)
        data["pitfalls"] = list(self.pitfalls)
        if self.explain is None:  # a run without maps writes the configuration older versions read
            for name in EXPLAIN_FIELDS:
                data.pop(name)
        if self.training_part == "all":  # (files older versions read)
            data.pop("training_part")
        if not self.training_calls_before:
            data.pop("training_calls_before")
        if self.h5_reader == "keras":
            data.pop("h5_reader")
        data.pop("trust_model")  # the user's trust belongs to this session, not to the file
        for name, default in RUNTIME_DEFAULTS.items():
            if data[name] == default:
                data.pop(name)
        for name in FUNCTION_FIELDS:
            if data[name] is None:
                data.pop(name)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ExperimentConfig":
        """Build and validate a config from ``to_dict`` output; unknown keys are an error."""
        if not isinstance(data, dict):
            raise ConfigError("the configuration must be a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown configuration field(s): {', '.join(unknown)}")
        values = dict(data)
        values.pop("trust_model", None)  # a file cannot grant trust: the user gives it each time
        aug = values.get("augment", {})
        if isinstance(aug, dict):
            aug_known = {f.name for f in dataclasses.fields(AugmentConfig)}
            bad = sorted(set(aug) - aug_known)
            if bad:
                raise ConfigError(f"unknown augmentation field(s): {', '.join(bad)}")
            values["augment"] = AugmentConfig(**aug)
        values["pitfalls"] = tuple(values.get("pitfalls", ()))
        try:
            return cls(**values).validate()
        except TypeError as exc:  # wrong value types
            raise ConfigError(f"the configuration is malformed: {exc}") from None

    def differences(self, other: "ExperimentConfig") -> list[str]:
        """Return the dotted names of the fields whose values differ from ``other``."""
        mine, theirs = flatten(self.to_dict()), flatten(other.to_dict())
        return sorted(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))

    def summary(self) -> str:
        """Return a one-line, human summary of the settings that matter."""
        head = [_model_words(self), f"{self.passes} pass{'es' if self.passes != 1 else ''}", _seeding_words(self)]
        return ", ".join(head + self.causes())

    def causes(self) -> list[str]:
        """The sources of variation switched on besides model, N and seeding, in words (for summaries and tables)."""
        parts: list[str] = []
        if self.augment.enabled:
            parts.append("augmentation on")
        if self.reinit_weights:
            parts.append("new weights every pass")
        if self.dropout is not None:
            parts.append(f"dropout {self.dropout:g}")
        if self.loader_function:
            parts.append(f"your loader {self.loader_function}")
        elif self.loader != "load-img":
            parts.append(f"{self.loader} loader")
        if not self.loader_function and self.interpolation != DEFAULT_INTERPOLATION[self.loader]:
            parts.append(f"{self.interpolation} resize")
        if self.antialias:
            parts.append("antialias")
        if self.dct_method != "default":
            parts.append(f"DCT {self.dct_method}")
        if self.call != "compiled":
            parts.append(f"{self.call} call")
        if self.h5_reader != "keras":
            parts.append("read by tf_keras")
        if self.training_mode:
            parts.append({"batchnorm": "training mode, BatchNorm only",
                          "dropout": "training mode, Dropout only",
                          "augmentation": "training mode, augmentation layers only"}.get(self.training_part, "training mode"))
        if self.training_calls_before:
            parts.append(f"{self.training_calls_before} training-mode call{'s' * (self.training_calls_before > 1)} before")
        if self.batch_neighbours != "none":
            parts.append(f"batch neighbours {self.batch_neighbours.replace(chr(92), '/').rstrip('/').rsplit('/', 1)[-1]}")
        if self.preprocess_function:
            parts.append(f"your preprocessing {self.preprocess_function}")
        elif self.preprocess != "auto" and (self.is_custom_model or self.preprocess != self.model_preprocess):
            parts.append(f"{self.effective_preprocess} preprocessing")
        parts.extend(f"pitfall {p}" for p in self.pitfalls)
        if self.batch_size is not None:
            parts.append(f"{self.batch_size} per call")
        if self.precision != "float32":
            parts.append(self.precision)
        if self.deterministic_ops:
            parts.append("deterministic ops")
        if self.threads is not None:
            parts.append(f"{self.threads} thread{'s' if self.threads != 1 else ''}")
        if self.kernels != "default":
            parts.append({"onednn": "oneDNN kernels", "eigen": "Eigen kernels"}[self.kernels])
        if self.runtime != "keras":
            parts.append(f"served by {self.runtime}")
        if self.backend != "tensorflow":
            parts.append(f"{self.backend.upper() if self.backend == 'jax' else self.backend} backend")
        return parts


def _check_pipeline(cfg: ExperimentConfig) -> None:
    """The loader, its resize method and decoder, the call path, training mode and batch neighbours."""
    check_choice("loader", cfg.loader, LOADERS)
    check_choice(f"interpolation of the {cfg.loader} loader", cfg.interpolation, LOADER_INTERPOLATIONS[cfg.loader])
    check_choice("DCT method", cfg.dct_method, DCT_METHODS)
    check_choice("call path", cfg.call, CALLS)
    if not isinstance(cfg.training_mode, bool) or not isinstance(cfg.antialias, bool):
        raise ConfigError("training mode and antialias must be true or false")
    check_choice("training part", cfg.training_part, TRAINING_PARTS)
    check_int("training-mode calls before the passes", cfg.training_calls_before, 0, MAX_TRAINING_CALLS)
    check_choice(".h5 reader", cfg.h5_reader, H5_READERS)
    if not isinstance(cfg.trust_model, bool):
        raise ConfigError("trust in the model must be true or false")
    if not isinstance(cfg.batch_neighbours, str) or not cfg.batch_neighbours.strip():
        raise ConfigError("batch neighbours must be 'none', 'samples' or a folder of images")


def _model_words(cfg) -> str:
    from vggcompare.core.catalog import display_name, in_memory_name, is_in_memory

    if is_in_memory(cfg.model):
        return f"model {in_memory_name(cfg.model)} (in memory)"
    return display_name(cfg.model) if not cfg.is_custom_model else f"model {display_name(cfg.model)}"


def _seeding_words(cfg) -> str:
    if cfg.seeding == "off":
        return "unseeded"
    if cfg.seeding == "once":
        return f"seed {cfg.seed} once"
    return f"seed {cfg.seed} every pass"


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts into dotted keys: {"augment": {"zoom": 0.2}} -> {"augment.zoom": 0.2}."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out
