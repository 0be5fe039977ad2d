"""The ONNX Runtime runtime: ``model.export(path, format="onnx")`` (tf2onnx under TensorFlow), served by
``onnxruntime.InferenceSession.run`` on the CPU execution provider."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

CALL = "model.export(path, format='onnx'); onnxruntime.InferenceSession(path).run"


def converter() -> dict[str, str]:
    """The converter's name and versions: Keras' ONNX export, and tf2onnx (jax2onnx under JAX) and onnx under it."""
    import keras

    versions = {"converter": "keras.Model.export (onnx)", "keras": keras.__version__}
    for name in ("jax2onnx" if keras.backend.backend() == "jax" else "tf2onnx", "onnx"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = "missing"
    return versions


class _Unsupported(logging.Handler):
    """Collects tf2onnx's "Unsupported ops" reports: it logs them and still writes a file no runtime can run."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "Unsupported ops" in record.getMessage():
            self.messages.append(record.getMessage())


def make(model: Any, path: Path) -> None:
    """Export ``model`` as an ONNX file at ``path``, with Keras' own call; RuntimeError names an op tf2onnx cannot convert."""
    if not getattr(model, "_called", True):  # Keras' ONNX export refuses a model never called (one just loaded)
        shape = tuple(1 if d is None else d for d in model.inputs[0].shape)
        model(np.zeros(shape, np.float32))
    handler = _Unsupported()
    logger = logging.getLogger("tf2onnx")
    logger.addHandler(handler)
    try:
        model.export(str(path), format="onnx", verbose=False)
    finally:
        logger.removeHandler(handler)
    if handler.messages:
        raise RuntimeError(handler.messages[0])


class OnnxRunner:
    """An ONNX Runtime session on the CPU execution provider."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        inputs = self.session.get_inputs()
        self.input_name = inputs[0].name
        self.input_shape = tuple(inputs[0].shape)
        self.output_shape = tuple(self.session.get_outputs()[0].shape)
        self.runtime_versions = {"onnxruntime": ort.__version__}

    def forward(self, batch: np.ndarray) -> np.ndarray:
        """``InferenceSession.run`` on a (B, H, W, 3) float32 batch; (B, C) float32."""
        return np.asarray(self.session.run(None, {self.input_name: batch})[0], dtype=np.float32)
