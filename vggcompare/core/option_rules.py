"""Each option's requirements and conflicts, stated once.

Every place that needs one reads it from :data:`RULES`: the configuration's validation (and so the command
line's one-sentence error), the window's enabling and tooltips, and the checkup's and the demonstrations'
"not applicable" reasons. A user meets the same sentence everywhere.

The format of a rule
--------------------
``Rule(option, kind, reads, sentence, condition)``:

- ``option``: what the rule governs, as the configuration names it: a field (``"training_part"``), or one value
  of a field as ``"field=value"`` (``"pitfalls=no-bgr-swap"``, ``"call=predict"``). An option is *on* when the
  field differs from its default, or, for ``field=value``, when the field is (or holds) that value.
- ``kind``: :data:`REQUIRES` (the option may be on only while ``condition`` holds) or :data:`CONFLICTS` (it may
  not be on while ``condition`` holds).
- ``reads``: the configuration fields (or properties, such as ``effective_preprocess``) that ``condition``
  reads; nothing else is passed to it, so a caller that has no whole configuration (a widget, the
  preprocessing function) can ask with just these values.
- ``sentence``: why the option does not apply, in one sentence that starts in lower case, has no final stop,
  and says what to change. It is the :class:`~vggcompare.core.errors.ConfigError`'s text and the checkup's
  "not applicable" reason.
- ``condition``: a function of a mapping ``{name: value}`` of ``reads`` that returns True or False.

A new model form, runtime or user function adds its rows to :data:`RULES` (one per option it cannot take),
and the validation, the window and the checkup pick them up.

Examples
--------
>>> why_not("pitfalls=no-bgr-swap", {"effective_preprocess": "tf"})
"the pitfall no-bgr-swap only applies to caffe preprocessing (VGG19's)"
>>> why_not("pitfalls=no-bgr-swap", {"effective_preprocess": "caffe"})
''
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vggcompare.core.catalog import LITE0, lookup
from vggcompare.core.errors import ConfigError
from vggcompare.core.runtime_rules import KERAS, TFLITE, runtime_of_file

REQUIRES, CONFLICTS = "requires", "conflicts"


@dataclass(frozen=True)
class Rule:
    """One requirement or conflict of one option (see the module's docstring for the format)."""

    option: str
    kind: str
    reads: tuple[str, ...]
    sentence: str
    condition: Callable[[Mapping[str, Any]], bool]

    def allows(self, values: Any) -> bool:
        """True when the option may be on, given ``values`` (a mapping or an object holding ``reads``)."""
        held = bool(self.condition({name: _value(values, name) for name in self.reads}))
        return held if self.kind == REQUIRES else not held


def _imagenet_keras_model(model: Any) -> bool:
    found = lookup(model) if isinstance(model, str) else None
    return found is not None and not found[1] and model != LITE0


RULES: tuple[Rule, ...] = (
    Rule("pitfalls=no-bgr-swap", REQUIRES, ("effective_preprocess",),
         "the pitfall no-bgr-swap only applies to caffe preprocessing (VGG19's)",
         lambda v: v["effective_preprocess"] == "caffe"),
    Rule("reinit_weights", REQUIRES, ("model",),
         "new weights for every pass needs the model 'vgg19-random'",
         lambda v: v["model"] == "vgg19-random"),
    Rule("weights", REQUIRES, ("model",),
         "a local ImageNet weights file only applies to a built-in keras.applications model with ImageNet weights (vgg19, resnet50, …)",
         lambda v: _imagenet_keras_model(v["model"])),
    Rule("antialias", REQUIRES, ("loader",),
         "antialias and the DCT method apply to the tf-dataset loader only (tf.image.resize, tf.io.decode_jpeg)",
         lambda v: v["loader"] == "tf-dataset"),
    Rule("dct_method", REQUIRES, ("loader",),
         "antialias and the DCT method apply to the tf-dataset loader only (tf.image.resize, tf.io.decode_jpeg)",
         lambda v: v["loader"] == "tf-dataset"),
    Rule("pitfalls=opencv-bgr", REQUIRES, ("loader",),
         "the pitfall opencv-bgr (no BGR-to-RGB conversion after cv2.imread) needs the opencv loader",
         lambda v: v["loader"] == "opencv"),
    Rule("pitfalls=apply-exif", REQUIRES, ("loader",),
         "apply-exif and alpha-on-white are switches of the load-img loader; the other loaders keep their own EXIF and alpha behaviour",
         lambda v: v["loader"] == "load-img"),
    Rule("pitfalls=alpha-on-white", REQUIRES, ("loader",),
         "apply-exif and alpha-on-white are switches of the load-img loader; the other loaders keep their own EXIF and alpha behaviour",
         lambda v: v["loader"] == "load-img"),
    Rule("training_part", REQUIRES, ("training_mode",),
         "a training part (batchnorm, dropout or augmentation) needs training mode",
         lambda v: bool(v["training_mode"])),
    Rule("training_mode", CONFLICTS, ("call",),
         "model.predict always calls the model with training=False; choose another call path for training mode",
         lambda v: v["call"] == "predict"),
    Rule("kernels", REQUIRES, ("backend",),
         "the kernel library choice (oneDNN or Eigen) applies to the TensorFlow backend only",
         lambda v: v["backend"] == "tensorflow"),
    Rule("deterministic_ops", REQUIRES, ("backend",),
         "deterministic ops are a TensorFlow setting; switch them off to run on the JAX backend",
         lambda v: v["backend"] == "tensorflow"),
    Rule("threads", REQUIRES, ("backend",),
         "the thread count is a TensorFlow setting; leave it on the default to run on the JAX backend",
         lambda v: v["backend"] == "tensorflow"),
    Rule("h5_reader", REQUIRES, ("model",),
         "the .h5 reader (tf-keras) applies to a model file ending in .h5",
         lambda v: isinstance(v["model"], str) and v["model"].lower().endswith((".h5", ".hdf5"))),
    # The caller's own functions (the Python API): what the tool cannot do inside them on the caller's behalf
    Rule("pitfalls=double-preprocess", CONFLICTS, ("preprocess_function",),
         "your own preprocessing function: the tool cannot apply it twice on your behalf",
         lambda v: v["preprocess_function"] is not None),
    Rule("pitfalls=rescale-after-preprocess", CONFLICTS, ("preprocess_function",),
         "your own preprocessing function: the tool cannot rescale inside it on your behalf",
         lambda v: v["preprocess_function"] is not None),
    Rule("pitfalls=no-bgr-swap", CONFLICTS, ("preprocess_function",),
         "your own preprocessing function: the tool cannot tell where it swaps channels",
         lambda v: v["preprocess_function"] is not None),
    Rule("interpolation", CONFLICTS, ("loader_function",),
         "your own loader function: the tool cannot change the resize filter inside it",
         lambda v: v["loader_function"] is not None),
    Rule("pitfalls=apply-exif", CONFLICTS, ("loader_function",),
         "your own loader function: the tool cannot turn the photo inside it on your behalf",
         lambda v: v["loader_function"] is not None),
    Rule("pitfalls=alpha-on-white", CONFLICTS, ("loader_function",),
         "your own loader function: the tool cannot change how it treats transparent pixels",
         lambda v: v["loader_function"] is not None),
    Rule("explain_class", REQUIRES, ("explain",),
         "the class or the number of passes to explain needs an explanation method (--explain)",
         lambda v: v["explain"] is not None),
    Rule("explain_passes", REQUIRES, ("explain",),
         "the class or the number of passes to explain needs an explanation method (--explain)",
         lambda v: v["explain"] is not None),
    # Where the model is served (core.runtime_rules): what an export's runtime cannot do, and its own settings
    Rule("model", REQUIRES, ("model", "runtime"),
         "an exported file runs in its own runtime: a .tflite file in tflite, an .onnx file in onnxruntime "
         "(--runtime tflite or --runtime onnxruntime)",
         lambda v: runtime_of_file(v["model"]) in (None, v["runtime"])),
    Rule("call", CONFLICTS, ("runtime",),
         "the call path is how Keras is called; an exported runtime is called through its own call, so --call is not "
         "applicable (leave it at compiled)",
         lambda v: v["runtime"] != KERAS),
    Rule("precision", CONFLICTS, ("runtime",),
         "bfloat16 is a Keras precision policy; an exported runtime runs its file's own types, so --precision "
         "bfloat16 is not applicable (choose tflite-float16 for half-precision weights)",
         lambda v: v["runtime"] != KERAS),
    Rule("training_mode", CONFLICTS, ("runtime",),
         "an exported model has no training mode (its graph is frozen at inference), so training mode is not "
         "applicable to an exported runtime",
         lambda v: v["runtime"] != KERAS),
    Rule("dropout", CONFLICTS, ("runtime",),
         "an exported model has no dropout at inference (its graph is frozen), so MC dropout is not applicable to an "
         "exported runtime",
         lambda v: v["runtime"] != KERAS),
    Rule("explain=gradcam", CONFLICTS, ("runtime",),
         "the Grad-CAM maps need the model's gradients, which an exported runtime does not give; use occlusion maps "
         "(--explain occlusion)",
         lambda v: v["runtime"] != KERAS),
    Rule("reinit_weights", CONFLICTS, ("runtime",),
         "an export holds fixed weights, so new weights for every pass are not applicable to an exported runtime",
         lambda v: v["runtime"] != KERAS),
    *(Rule(name, REQUIRES, ("runtime",),
           "the XNNPACK delegate and the interpreter's thread count are TFLite settings; choose a tflite runtime (--runtime tflite…)",
           lambda v: v["runtime"] in TFLITE) for name in ("tflite_xnnpack", "tflite_threads")),
    *(Rule(name, CONFLICTS, ("runtime",),
           f"{what} is TensorFlow's setting, which a TFLite interpreter or an ONNX Runtime session does not read (they "
           "run their own kernels and threads; a TFLite interpreter's thread count is --tflite-threads)",
           lambda v: v["runtime"] in (*TFLITE, "onnxruntime"))
      for name, what in (("threads", "the thread count"), ("kernels", "the kernel library (oneDNN or Eigen)"),
                         ("deterministic_ops", "deterministic ops"))),
    Rule("calibration", REQUIRES, ("runtime",),
         "a calibration folder is for full-integer quantization; choose --runtime tflite-int8",
         lambda v: v["runtime"] == "tflite-int8"),
    Rule("reference_model", REQUIRES, ("model",),
         "a reference Keras model goes with a user's exported file (--model app.tflite or model.onnx)",
         lambda v: runtime_of_file(v["model"]) is not None),
)


def rules_for(option: str) -> tuple[Rule, ...]:
    """The rules of one option, in the table's order."""
    return tuple(rule for rule in RULES if rule.option == option)


def why_not(option: str, values: Any) -> str:
    """Why ``option`` cannot be on with these other settings, in one sentence; '' when it can.

    ``values`` is a configuration, or a mapping of field values: a mapping answers for the rules whose
    fields it holds (a widget that knows the loader asks the loader's rules).
    """
    asked = [rule for rule in rules_for(option)
             if not isinstance(values, Mapping) or all(name in values for name in rule.reads)]
    return next((rule.sentence for rule in asked if not rule.allows(values)), "")


def is_on(option: str, config: Any) -> bool:
    """True when ``option`` is switched on in ``config`` (a field off its default, or holding the named value)."""
    name, _, wanted = option.partition("=")
    value = getattr(config, name)
    if wanted:
        return wanted in value if isinstance(value, (tuple, list)) else value == wanted
    return value != _defaults(type(config))[name]


def broken_rule(config: Any) -> str:
    """The sentence of the first rule that ``config`` breaks; '' when it breaks none."""
    return next((rule.sentence for rule in RULES if is_on(rule.option, config) and not rule.allows(config)), "")


def check(config: Any) -> None:
    """Raise ConfigError with the sentence of the first rule that ``config`` breaks."""
    sentence = broken_rule(config)
    if sentence:
        raise ConfigError(sentence)


def _value(values: Any, name: str) -> Any:
    return values[name] if isinstance(values, Mapping) else getattr(values, name)


def _defaults(cls: type) -> dict[str, Any]:
    return {f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}
