"""A model served by an exported runtime: the export made (or reused) once and loaded, with that runtime's own call.

:func:`serve` exports the prepared float32 Keras model (probabilities out) once per model, converter and settings
(the cache is :mod:`.export`) and returns a :class:`Served` whose ``forward`` is that runtime's own call:
``tf.saved_model.load(path).serve`` (:mod:`.savedmodel`), ``ai_edge_litert.interpreter.Interpreter.invoke``
(:mod:`.tflite`), ``onnxruntime.InferenceSession.run`` (:mod:`.onnx_runtime`). :func:`open_file` runs a user's
own .tflite or .onnx file. Full-integer int8's representative photos are :mod:`.calibration`'s.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from vggcompare.core.errors import ExportError
from vggcompare.core.model.runtimes.calibration import calibration_files, calibration_inputs
from vggcompare.core.runtime_rules import TFLITE, TITLES

Status = Callable[[str], None]
SUFFIX = {"savedmodel": ".savedmodel", "onnxruntime": ".onnx", **{name: ".tflite" for name in TFLITE}}
PACKAGES = {"savedmodel": ("tensorflow",), "onnxruntime": ("onnxruntime", "onnx", "tf2onnx"),
            **{name: ("tensorflow", "ai_edge_litert") for name in TFLITE}}


@dataclass
class Served:
    """A model served by one runtime: its forward call, and what the run's notes and environment record say."""

    runtime: str
    runner: Any
    call: str
    converter: dict[str, str] = field(default_factory=dict)
    export: Any = None  # the cache's Export; None for a user's own file
    file: str = ""
    calibration: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    backend: str = "tensorflow"  # the Keras backend the export was made under
    softmax: bool = False  # a user's own file that outputs scores: one softmax is applied to them
    lookup_seconds: float = 0.0  # finding the export: the model's fingerprint, the cache's key and hash check (or making it)
    load_seconds: float = 0.0  # loading it in its runtime (the interpreter, the session, tf.saved_model.load)
    _runs: int = 0
    _file_sha256: str = ""

    def forward(self, batch: np.ndarray) -> np.ndarray:
        """The runtime's own call on a (B, H, W, 3) float32 batch; (B, C) float32 probabilities."""
        out = self.runner.forward(np.ascontiguousarray(batch, dtype=np.float32))
        if not self.softmax:
            return out
        shifted = np.exp(out - out.max(axis=-1, keepdims=True))
        return (shifted / shifted.sum(axis=-1, keepdims=True)).astype(np.float32)

    def notes(self) -> list[str]:
        """The run's notes: which call made and ran the export, and whether this run made it or reused it."""
        title = TITLES.get(self.runtime, self.runtime)
        made, run = (self.call.split("; ") + [""])[:2]
        if self.export is None:
            out = [f"Served by {title}: your own file {Path(self.file).name}, run by {run or made}."]
        elif self._runs == 0:
            out = [f"Served by {self.runtime}: exported with {made}, run by {run}.", self.export.note(self.runtime)]
        else:
            out = [f"Served by {self.runtime}: exported with {made}, run by {run}.",
                   f"{self.runtime}: reused the export {self.export.path.name}, loaded in this process."]
        self._runs += 1
        if self.backend == "jax":
            from vggcompare.core.runtime_rules import under_jax

            out.append(under_jax(self.runtime))
        if self.calibration:
            out.append(f"Calibrated for int8 on {len(self.calibration)} photos: {', '.join(Path(p).name for p in self.calibration)}.")
        if self.runtime in TFLITE:
            out.append(f"TFLite interpreter: XNNPACK {'on' if self.settings.get('xnnpack', True) else 'off (BUILTIN_WITHOUT_DEFAULT_DELEGATES)'}, "
                       f"{self.settings.get('threads') or 'default'} thread(s).")
        return out

    def environment(self) -> dict[str, Any]:
        """The environment record's entries: runtime, converter and runtime versions, the export's hash and time."""
        env: dict[str, Any] = {"runtime": self.runtime, "runtime_call": self.call,
                               "runtime_versions": dict(getattr(self.runner, "runtime_versions", {}))}
        if self.converter:
            env["converter"] = dict(self.converter)
        if self.export is not None:
            env.update(export_sha256=self.export.sha256, export_file=self.export.path.name,
                       export_made=self.export.made, export_seconds=round(self.export.seconds, 3))
        elif self.file:
            if not self._file_sha256:  # a user's own file, hashed once per process
                from vggcompare.core.model.runtimes.export import content_sha256

                self._file_sha256 = content_sha256(Path(self.file))
            env.update(export_sha256=self._file_sha256, export_file=self.file)
        if self.calibration:
            env["calibration_photos"] = [Path(p).name for p in self.calibration]
        if self.settings:
            env["runtime_settings"] = dict(self.settings)
        return env


def missing_package(runtime: str, backend: str = "tensorflow") -> str:
    """The first library ``runtime`` needs under ``backend`` that is not installed, or ''."""
    from importlib.util import find_spec

    needed = PACKAGES.get(runtime, ())
    if backend == "jax" and runtime == "onnxruntime":  # Keras' ONNX export under JAX
        needed = ("onnxruntime", "onnx", "jax2onnx")
    return next((name for name in needed if find_spec(name) is None), "")


def serve(model: Any, config: Any, input_size: tuple[int, int], say: Status | None = None,
          fingerprint: str | None = None) -> Served:
    """Export ``model`` (the prepared float32 Keras model) for ``config.runtime``, or reuse its cached export; load it.

    ``fingerprint`` is the model's :func:`.export.model_fingerprint` when the caller knows it (it hashes every weight).

    Raises
    ------
    ExportError
        The converter refuses the model (one sentence naming the converter and the op), or a library is missing.
    ConfigError
        The calibration folder holds no image.
    """
    from vggcompare.core.model.runtimes import export as cache

    import time

    import keras

    t0 = time.perf_counter()
    say = say or (lambda _msg: None)
    runtime = config.runtime
    backend = keras.backend.backend()
    missing = missing_package(runtime, backend)
    if missing:
        under = " under the JAX backend" if backend == "jax" else ""
        raise ExportError(f"the {runtime} runtime needs the package {missing.replace('_', '-')}{under}, which is not installed "
                          f"(pip install {missing.replace('_', '-')})")
    module = _module(runtime)
    versions = module.converter()
    settings: dict[str, Any] = {}
    calibration: list[str] = []
    arrays: list[np.ndarray] = []
    if runtime in TFLITE:
        from vggcompare.core.model.runtimes.tflite import SETTINGS

        settings = dict(SETTINGS[runtime])
    if runtime == "tflite-int8":
        calibration = calibration_files(config.calibration)
        arrays = calibration_inputs(calibration, input_size, config)
        import hashlib

        settings["calibration_sha256"] = hashlib.sha256(b"".join(a.tobytes() for a in arrays)).hexdigest()
    key = cache.export_key(fingerprint or cache.model_fingerprint(model), runtime, versions, settings)
    name = versions["converter"]

    def make(path: Path) -> None:
        say(f"Exporting the model for {runtime} ({name})…")
        try:
            # Keras' export prints its endpoints; the converters warn about what the user did not ask for
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if runtime in TFLITE:
                    module.make(model, path, runtime, lambda: iter(arrays))
                else:
                    module.make(model, path)
        except Exception as exc:  # each converter raises its own types for a model it cannot convert
            raise ExportError(refusal(name, exc)) from exc

    exported = cache.cached_export(key, SUFFIX[runtime], make, say)
    run_settings = {"xnnpack": config.tflite_xnnpack, "threads": config.tflite_threads} if runtime in TFLITE else {}
    t1 = time.perf_counter()
    runner = _runner(runtime, exported.path, config)
    return Served(runtime, runner, module.CALL, versions, exported, str(exported.path), calibration, run_settings, backend,
                  lookup_seconds=t1 - t0, load_seconds=time.perf_counter() - t1)


def open_file(path: str, runtime: str, config: Any) -> Served:
    """Run a user's own exported file (.tflite or .onnx) in its runtime, as it is."""
    from importlib.util import find_spec

    missing = {"tflite": "ai_edge_litert", "onnxruntime": "onnxruntime"}[runtime]  # the runtime alone runs a file
    if find_spec(missing) is None:
        raise ExportError(f"running {Path(path).name} needs the package {missing.replace('_', '-')}, which is not installed")
    if not Path(path).is_file():
        raise ExportError(f"{path} does not exist or is not a file")
    try:
        runner = _runner(runtime, Path(path), config)
    except Exception as exc:  # the runtimes raise their own types for a file they cannot read
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ExportError(f"{Path(path).name} cannot be opened by the {runtime} runtime ({first})") from None
    call = _module(runtime).CALL
    settings = {"xnnpack": config.tflite_xnnpack, "threads": config.tflite_threads} if runtime == "tflite" else {}
    return Served(runtime, runner, call, {}, None, str(Path(path).resolve()), [], settings)


def _module(runtime: str) -> Any:
    if runtime == "savedmodel":
        from vggcompare.core.model.runtimes import savedmodel as module
    elif runtime == "onnxruntime":
        from vggcompare.core.model.runtimes import onnx_runtime as module
    else:
        from vggcompare.core.model.runtimes import tflite as module
    return module


def _runner(runtime: str, path: Path, config: Any) -> Any:
    if runtime == "savedmodel":
        from vggcompare.core.model.runtimes.savedmodel import SavedModelRunner

        return SavedModelRunner(path)
    if runtime == "onnxruntime":
        from vggcompare.core.model.runtimes.onnx_runtime import OnnxRunner

        return OnnxRunner(path)
    from vggcompare.core.model.runtimes.tflite import TFLiteRunner

    return TFLiteRunner(path, config.tflite_xnnpack, config.tflite_threads)


def refusal(converter: str, exc: BaseException) -> str:
    """One sentence naming the converter and, where its message names one, the op or layer it cannot convert."""
    text = str(exc)
    op = None
    for pattern in (r"'([\w.]+)' op is neither a custom op nor a flex op", r"op[: ]+'?([A-Z][\w.]+)'? is not supported",
                    r"Unsupported ops?: Counter\(\{'(\w+)'", r"Could not locate class '(\w+)'", r"[Uu]nsupported op(?:eration)?[: ]+'?([\w.]+)",
                    r"'([\w.]+)' op"):
        found = re.search(pattern, text)
        if found:
            op = found.group(1)
            break
    what = f"the op {op}" if op else f"this model ({type(exc).__name__}: {(text.strip().splitlines() or [''])[0][:120]})"
    return f"{converter} cannot convert {what}, so this runtime is not applicable to this model"
