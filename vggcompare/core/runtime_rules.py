"""Where the model is served: the runtimes' names, and the one sentence for each option an export cannot take.

The configuration's validation, the checkup's rows and the command line read these sentences from here, so a
user meets the same words everywhere. The exports themselves are made and run in :mod:`vggcompare.core.model.runtimes`.
"""

from __future__ import annotations

from typing import Any

KERAS = "keras"
RUNTIMES = ("keras", "savedmodel", "tflite", "tflite-float16", "tflite-int8-dynamic", "tflite-int8", "onnxruntime")
TFLITE = ("tflite", "tflite-float16", "tflite-int8-dynamic", "tflite-int8")
EXPORT_SUFFIXES = {".tflite": "tflite", ".onnx": "onnxruntime"}  # a user's own exported file, by its name

# What each runtime is, in the words of the user's own code (rows, notes, the window's combo box).
TITLES = {
    "keras": "Keras (the model's own call)",
    "savedmodel": "SavedModel: model.export(), tf.saved_model.load(...).serve",
    "tflite": "TFLite float32: TFLiteConverter.from_keras_model, LiteRT Interpreter",
    "tflite-float16": "TFLite float16 weights (Optimize.DEFAULT, supported_types=[tf.float16])",
    "tflite-int8-dynamic": "TFLite dynamic-range int8 (Optimize.DEFAULT)",
    "tflite-int8": "TFLite full-integer int8 (calibrated on a representative set)",
    "onnxruntime": "ONNX Runtime: model.export(format='onnx'), InferenceSession.run",
}

# What a deployment does to be served this way (the checkup's "what your code would do").
DEPLOYMENT = {
    "savedmodel": "Your deployment serves model.export()'s SavedModel (TF Serving, tf.saved_model.load(...).serve).",
    "tflite": "Your app runs a float32 .tflite file from TFLiteConverter.from_keras_model in the LiteRT interpreter.",
    "tflite-float16": "Your app runs a .tflite file converted with float16 weights (Optimize.DEFAULT, supported_types=[tf.float16]).",
    "tflite-int8-dynamic": "Your app runs a .tflite file quantized with Optimize.DEFAULT alone (dynamic-range int8 weights).",
    "tflite-int8": "Your app runs a full-integer int8 .tflite file calibrated on a representative data set.",
    "onnxruntime": "Your deployment runs model.export(format='onnx')'s file in onnxruntime.InferenceSession.",
}


# Under the JAX backend, measured with Keras 3.15, TF 2.21, ai-edge-litert 2.3 (a probe model through every runtime):
UNDER_JAX = {
    "savedmodel": "Under JAX, model.export makes the SavedModel through jax2tf, and TensorFlow loads and serves it.",
    "tflite": "Under JAX, TFLiteConverter.from_keras_model converts the model as under TensorFlow, and LiteRT runs it.",
    "onnxruntime": "Under JAX, Keras' ONNX export goes through jax2onnx instead of tf2onnx (pip install jax2onnx).",
}


def under_jax(runtime: str) -> str:
    """The one sentence on how ``runtime``'s export works under the JAX backend."""
    return UNDER_JAX["tflite" if runtime in TFLITE else runtime]


def not_applicable(config: Any) -> str:
    """The one sentence saying why ``config`` asks an exported model for something it cannot do; '' when it can."""
    runtime = getattr(config, "runtime", KERAS)
    if runtime == KERAS:
        return ""
    name = f"the {runtime} runtime"
    if config.call != "compiled":
        return f"the call path ({config.call}) is how Keras is called; {name} is called through its own call, so --call is not applicable"
    if config.precision != "float32":
        return f"bfloat16 is a Keras precision policy; {name} runs the exported file's own types, so --precision bfloat16 is not applicable"
    if config.training_mode:
        return f"an exported model has no training mode (its graph is frozen at inference), so training mode is not applicable to {name}"
    if config.dropout is not None:
        return f"an exported model has no dropout at inference (its graph is frozen), so MC dropout is not applicable to {name}"
    if config.explain == "gradcam":
        return f"Grad-CAM needs the model's gradients, which {name} does not give; use occlusion maps (--explain occlusion)"
    if config.reinit_weights:
        return f"an export holds fixed weights, so new weights for every pass are not applicable to {name}"
    return ""


def tflite_settings_sentence(config: Any) -> str:
    """The sentence refusing TFLite settings on a runtime that is not TFLite; '' when they fit."""
    runtime = getattr(config, "runtime", KERAS)
    changed = (not config.tflite_xnnpack) or config.tflite_threads is not None
    if changed and runtime not in TFLITE:
        return "XNNPACK and the interpreter's thread count are TFLite settings; choose a tflite runtime (--runtime tflite…)"
    if config.calibration is not None and runtime != "tflite-int8":
        return "a calibration folder is for full-integer quantization; choose --runtime tflite-int8"
    return ""


def runtime_of_file(model: str) -> str | None:
    """The runtime a user's own exported file runs in (by its suffix), or None for a Keras file or a built-in name."""
    lowered = model.lower()
    return next((runtime for suffix, runtime in EXPORT_SUFFIXES.items() if lowered.endswith(suffix)), None)
