"""The TFLite runtimes: ``tf.lite.TFLiteConverter.from_keras_model`` (float32, float16 weights, dynamic-range int8,
full-integer int8), run by ``ai_edge_litert.interpreter.Interpreter.invoke``.

XNNPACK is the interpreter's default delegate; ``xnnpack=False`` asks for the op resolver
``BUILTIN_WITHOUT_DEFAULT_DELEGATES``, as an app that turns the delegate off does. Full-integer int8 is converted
with int8 inputs and outputs (``TFLITE_BUILTINS_INT8``), so the runner quantizes each batch with the input's scale
and zero point and dequantizes the output with the output's, as an app does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

CALL = "tf.lite.TFLiteConverter.from_keras_model(model).convert(); ai_edge_litert.interpreter.Interpreter.invoke"
SETTINGS = {
    "tflite": {},
    "tflite-float16": {"optimizations": "DEFAULT", "supported_types": "float16"},
    "tflite-int8-dynamic": {"optimizations": "DEFAULT"},
    "tflite-int8": {"optimizations": "DEFAULT", "representative_dataset": "calibration photos",
                    "supported_ops": "TFLITE_BUILTINS_INT8", "inference_input_type": "int8", "inference_output_type": "int8"},
}


def converter() -> dict[str, str]:
    """The converter's name and version."""
    import tensorflow as tf

    return {"converter": "tf.lite.TFLiteConverter.from_keras_model", "tensorflow": tf.__version__}


def make(model: Any, path: Path, runtime: str, calibration: Callable[[], Iterable[np.ndarray]] | None = None) -> None:
    """Convert ``model`` for ``runtime`` and write the .tflite file at ``path``.

    ``calibration`` yields the representative (1, H, W, 3) float32 inputs of full-integer int8."""
    import tensorflow as tf

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    if runtime != "tflite":
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
    if runtime == "tflite-float16":
        conv.target_spec.supported_types = [tf.float16]
    if runtime == "tflite-int8":
        conv.representative_dataset = lambda: ([x] for x in calibration())
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
    path.write_bytes(conv.convert())


def litert_version() -> str:
    """ai-edge-litert's version (its distribution's, as the module has none of its own on some releases)."""
    try:
        from importlib.metadata import version

        return version("ai-edge-litert")
    except Exception:  # noqa: BLE001 - any failure means "unknown"
        return "unknown"


class TFLiteRunner:
    """LiteRT interpreters for one .tflite file, one per batch size (the file's batch dimension is resized)."""

    def __init__(self, path: Path, xnnpack: bool = True, threads: int | None = None) -> None:
        self.path, self.xnnpack, self.threads = Path(path), xnnpack, threads
        self._interpreters: dict[int, Any] = {}
        first = self._interpreter(None)
        detail = first.get_input_details()[0]
        self.input_shape = tuple(int(v) for v in detail["shape"])
        self.output_shape = tuple(int(v) for v in first.get_output_details()[0]["shape"])
        self.runtime_versions = {"ai_edge_litert": litert_version()}

    def _interpreter(self, batch: int | None) -> Any:
        found = self._interpreters.get(batch)
        if found is not None:
            return found
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        options: dict[str, Any] = {"model_path": str(self.path)}
        if self.threads is not None:
            options["num_threads"] = self.threads
        if not self.xnnpack:
            options["experimental_op_resolver_type"] = OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        interpreter = Interpreter(**options)
        if batch is not None:
            detail = interpreter.get_input_details()[0]
            if int(detail["shape"][0]) != batch:
                interpreter.resize_tensor_input(detail["index"], [batch, *detail["shape"][1:]])
        interpreter.allocate_tensors()
        self._interpreters[batch] = interpreter
        return interpreter

    def forward(self, batch: np.ndarray) -> np.ndarray:
        """``set_tensor``, ``invoke``, ``get_tensor`` on a (B, H, W, 3) float32 batch; (B, C) float32."""
        interpreter = self._interpreter(batch.shape[0])
        inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
        interpreter.set_tensor(inp["index"], quantize(batch, inp))
        interpreter.invoke()
        return dequantize(interpreter.get_tensor(out["index"]), out)


def quantize(batch: np.ndarray, detail: dict) -> np.ndarray:
    """The batch in the input tensor's type: as it is for float, else round(x / scale) + zero point, clipped."""
    dtype = np.dtype(detail["dtype"])
    if dtype.kind == "f":
        return batch.astype(dtype, copy=False)
    scale, zero = detail["quantization"]
    info = np.iinfo(dtype)
    return np.clip(np.round(batch / np.float32(scale)) + zero, info.min, info.max).astype(dtype)


def dequantize(values: np.ndarray, detail: dict) -> np.ndarray:
    """The output as float32: as it is for float, else (q − zero point) × scale."""
    if np.dtype(detail["dtype"]).kind == "f":
        return np.asarray(values, dtype=np.float32)
    scale, zero = detail["quantization"]
    return ((values.astype(np.float32) - np.float32(zero)) * np.float32(scale)).astype(np.float32)
