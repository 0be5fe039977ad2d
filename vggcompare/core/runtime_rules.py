"""Where the model is served: the runtimes' names, their words, and which runtime a user's exported file runs in.

The options an export's runtime cannot take are rules of :mod:`vggcompare.core.option_rules` (one sentence each,
read by the configuration's validation, the command line and the checkup). The exports themselves are made and run
in :mod:`vggcompare.core.model.runtimes`.
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

# Short names, for table cells (the checkup's setting column)
SHORT = {"keras": "the Keras model", "savedmodel": "SavedModel", "tflite": "TFLite float32",
         "tflite-float16": "TFLite float16 weights", "tflite-int8-dynamic": "TFLite dynamic-range int8",
         "tflite-int8": "TFLite full-integer int8", "onnxruntime": "ONNX Runtime"}

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


def runtime_of_file(model: str) -> str | None:
    """The runtime a user's own exported file runs in (by its suffix), or None for a Keras file or a built-in name."""
    lowered = model.lower()
    return next((runtime for suffix, runtime in EXPORT_SUFFIXES.items() if lowered.endswith(suffix)), None)
