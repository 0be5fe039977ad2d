"""An exported runtime's intermediate tensors, read on one call and matched to the Keras layers they come from.

TFLite: a second interpreter on the same file with ``experimental_preserve_all_tensors=True`` keeps every tensor;
each operator's output (``_get_ops_details``, in execution order) is read with ``get_tensor`` and, for an integer
tensor, dequantized with that tensor's own scale and zero point. ONNX Runtime: a copy of the ONNX graph (the ``onnx``
package) lists every floating-point node output as a graph output, and a second session runs it.

The converters keep the Keras layer names inside tensor names (``functional_1/bn0_1/FusedBatchNormV3``; TensorFlow
adds ``_1``-style suffixes to scopes it sees twice; a fused op joins several names with ``;``). A tensor belongs to
the latest Keras layer (in the model's order) whose name, with or without such suffixes, is one of its name's scopes
and whose output shape is the tensor's (NHWC, or NCHW where tf2onnx transposed it); a layer's output is the last
tensor that belongs to it, and the graph's output is the model's last layer's. Fused ops leave some layers with no
tensor of their own (a BatchNorm folded into its convolution): they are left out, and the notes say how many.

Keeping every tensor can change what the runtime computes (each op runs on its own, unfused: LiteRT#413,
tensorflow#79355), so the instrumented call's own output is returned too and compared with the plain call's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

OUTPUT = "output"  # the single row's name when only the output can be compared and no Keras name is known
_SUFFIXES = re.compile(r"(_\d+)+")


@dataclass
class RuntimeLayers:
    """The Keras layers an exported runtime's tensors were matched to: names, the image's row of each (float32,
    NHWC), the instrumented call's output row, and the sentences saying what was mapped or why only the output."""

    names: list[str]
    arrays: list[np.ndarray]
    output: np.ndarray
    notes: list[str] = field(default_factory=list)
    mapped: int = 0
    layers: int = 0

    @property
    def outputs_only(self) -> bool:
        """Whether only the model's output could be compared."""
        return self.mapped == 0


@dataclass(frozen=True)
class Candidate:
    """One intermediate tensor: its name, its shape with the batch dimension first."""

    name: str
    shape: tuple[int, ...]


def scopes(name: str) -> list[list[str]]:
    """The scope paths in a tensor's name: each ';'-joined part split at '/', its last piece (the op) and any ':0' dropped."""
    out = []
    for part in name.split(";"):
        pieces = part.split(":", 1)[0].split("/")
        if len(pieces) > 1:
            out.append(pieces[:-1])
    return out


def _matches(scope: str, layer: str) -> bool:
    """Whether a scope is ``layer``'s: its name, or its name with TensorFlow's ``_N`` suffixes."""
    return scope == layer or (scope.startswith(layer) and _SUFFIXES.fullmatch(scope[len(layer):]) is not None)


def _carries(path: list[str], layer: str) -> bool:
    """Whether a scope path carries ``layer`` ('outer/inner' names match consecutive scopes)."""
    parts = layer.split("/")
    return any(all(_matches(path[i + k], p) for k, p in enumerate(parts)) for i in range(len(path) - len(parts) + 1))


def layout(tensor: tuple[int, ...], keras: tuple[int, ...], channels_first: bool) -> str:
    """'same' when a tensor's shape (batch first) is the Keras layer's (without batch), 'nchw' when it is its
    channels-first transpose (ONNX), '' otherwise."""
    row = tuple(tensor[1:])
    if row == tuple(keras):
        return "same"
    if channels_first and len(keras) >= 2 and row == (keras[-1], *keras[:-1]):
        return "nchw"
    return ""


def map_tensors(candidates: Sequence[Candidate], output: str, layers: Sequence[tuple[str, tuple[int, ...]]],
                channels_first: bool = False) -> dict[int, tuple[int, str]]:
    """Which tensor is each Keras layer's output: {layer index: (candidate index, layout)}.

    ``candidates`` are the runtime's intermediate tensors in execution order, ``output`` the graph output's name,
    ``layers`` the Keras layers in the model's order as (name, output shape without batch). See the module."""
    owned: dict[int, tuple[int, str]] = {}
    last = len(layers) - 1
    for c, cand in enumerate(candidates):
        if cand.name == output:
            continue
        paths = scopes(cand.name)
        for k in range(last, -1, -1):  # the latest layer the name carries whose shape fits
            name, shape = layers[k]
            fit = layout(cand.shape, shape, channels_first)
            if fit and any(_carries(path, name) for path in paths):
                owned[k] = (c, fit)
                break
    for c, cand in enumerate(candidates):  # the graph's output is the last layer's, whatever its name
        fit = layout(cand.shape, layers[last][1], channels_first) if cand.name == output and layers else ""
        if fit:
            owned[last] = (c, fit)
    return owned


def _row(values: np.ndarray, fit: str) -> np.ndarray:
    """The image's row (row 0) as float32, moved to NHWC when the runtime held it channels first."""
    row = np.asarray(values[0], dtype=np.float32)
    return np.ascontiguousarray(np.moveaxis(row, 0, -1)) if fit == "nchw" else row


def dequantized(values: np.ndarray, detail: dict) -> np.ndarray:
    """A TFLite tensor as float32: as it is for float, else (q − zero point) × scale with the tensor's own parameters
    (per channel along its quantized dimension when it has several)."""
    if np.dtype(values.dtype).kind == "f":
        return np.asarray(values, dtype=np.float32)
    params = detail.get("quantization_parameters") or {}
    scales = np.asarray(params.get("scales", []), np.float32)
    zeros = np.asarray(params.get("zero_points", []), np.float32)
    if scales.size > 1:
        axis = int(params.get("quantized_dimension", 0))
        shape = [1] * values.ndim
        shape[axis] = scales.size
        return ((values.astype(np.float32) - zeros.reshape(shape)) * scales.reshape(shape)).astype(np.float32)
    scale, zero = detail.get("quantization", (0.0, 0))
    if not scale and scales.size:
        scale, zero = float(scales[0]), float(zeros[0]) if zeros.size else 0.0
    return ((values.astype(np.float32) - np.float32(zero)) * np.float32(scale)).astype(np.float32)


def tflite_tensors(runner: Any, batch: np.ndarray) -> tuple[list[Candidate], str, dict[str, np.ndarray], np.ndarray]:
    """Run ``batch`` through an interpreter that keeps every tensor, with the runner's settings (XNNPACK, threads).

    Returns the operators' outputs in execution order, the output's name, each tensor's float32 values (batch
    first, dequantized) and the instrumented output (B, C)."""
    import warnings

    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    from vggcompare.core.model.runtimes.tflite import dequantize, quantize

    options: dict[str, Any] = {"model_path": str(runner.path), "experimental_preserve_all_tensors": True}
    if runner.threads is not None:
        options["num_threads"] = runner.threads
    if not runner.xnnpack:
        options["experimental_op_resolver_type"] = OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    with warnings.catch_warnings():  # "intended for debugging purposes only": that is this use
        warnings.simplefilter("ignore")
        interpreter = Interpreter(**options)
    inp = interpreter.get_input_details()[0]
    if int(inp["shape"][0]) != batch.shape[0]:
        interpreter.resize_tensor_input(inp["index"], [batch.shape[0], *inp["shape"][1:]])
    interpreter.allocate_tensors()
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    interpreter.set_tensor(inp["index"], quantize(np.ascontiguousarray(batch, dtype=np.float32), inp))
    interpreter.invoke()
    details = {d["index"]: d for d in interpreter.get_tensor_details()}
    order: list[int] = []
    ops = getattr(interpreter, "_get_ops_details", None)  # the only listing of operators in execution order
    for op in ops() if ops is not None else [{"outputs": sorted(details)}]:  # else the tensors in the file's order
        if op.get("op_name") == "DELEGATE":  # a delegate's node repeats the outputs of the ops it runs
            continue
        order.extend(int(i) for i in op.get("outputs", []) if int(i) >= 0 and int(i) not in order)
    candidates, values = [], {}
    for index in order:
        detail = details[index]
        shape = tuple(int(s) for s in detail["shape"])
        kind = np.dtype(detail["dtype"]).kind
        quantized = bool(detail.get("quantization", (0.0, 0))[0]) or len((detail.get("quantization_parameters") or {}).get("scales", [])) > 0
        if not shape or shape[0] != batch.shape[0] or not (kind == "f" or (kind in "iu" and quantized)):
            continue  # a weight, or an integer that is no quantized activation (an index, a shape)
        try:
            raw = interpreter.get_tensor(index)
        except ValueError:  # a tensor the runtime did not keep
            continue
        candidates.append(Candidate(detail["name"], shape))
        values[detail["name"]] = dequantized(raw, detail)
    output = dequantize(interpreter.get_tensor(out["index"]), out)
    return candidates, out["name"], values, output


def onnx_tensors(path: Path, batch: np.ndarray, threads: int | None = None
                 ) -> tuple[list[Candidate], str, dict[str, np.ndarray], np.ndarray]:
    """Run ``batch`` through a copy of the ONNX graph that lists every floating-point node output as a graph output.

    Returns the node outputs in the graph's order, the output's name, each one's values and the output (B, C)."""
    import onnx
    import onnxruntime as ort

    model = onnx.load(str(path))
    inferred = onnx.shape_inference.infer_shapes(model)
    types = {v.name: v.type.tensor_type.elem_type for v in [*inferred.graph.value_info, *inferred.graph.output]}
    floats = (onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE)
    output = model.graph.output[0].name
    listed = {o.name for o in model.graph.output}
    names = [name for node in model.graph.node for name in node.output
             if name and name not in listed and types.get(name) in floats]
    for name in names:
        model.graph.output.append(onnx.helper.make_tensor_value_info(name, types[name], None))
    options = ort.SessionOptions()
    if threads is not None:
        options.intra_op_num_threads = threads
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    wanted = [output, *names]
    got = session.run(wanted, {session.get_inputs()[0].name: np.ascontiguousarray(batch, dtype=np.float32)})
    values = {name: np.asarray(v, dtype=np.float32) for name, v in zip(wanted, got)}
    order = [name for node in model.graph.node for name in node.output if name in values]
    candidates = [Candidate(name, tuple(values[name].shape)) for name in order if values[name].ndim >= 1
                  and values[name].shape[0] == batch.shape[0]]
    return candidates, output, values, values[output]


def runtime_layers(served: Any, layers: Sequence[tuple[str, tuple[int, ...]]] | None, batch: np.ndarray) -> RuntimeLayers:
    """The image's row of each Keras layer's output as the runtime computed it, where its tensors allow.

    ``served`` is the run's :class:`~vggcompare.core.model.runtimes.served.Served`; ``layers`` the Keras model's layers in
    order as (name, output shape without batch), or None when the run has no Keras model (a user's own file).
    Only the output is returned, with one sentence saying why, for a SavedModel, a file without a Keras model, or
    tensor names that carry no layer's name."""
    from vggcompare.core.runtime_rules import TFLITE

    runtime = served.runtime
    last = layers[-1][0] if layers else OUTPUT
    file_name = Path(served.file).name if served.file else "the export"
    if runtime == "savedmodel":
        return _outputs_only(last, served, batch, "a SavedModel exposes only its serving signature's output, not its "
                                                  "layers' tensors")
    if not layers:
        return _outputs_only(last, served, batch, f"{file_name} is your own file, run without the Keras model it came "
                                                  "from (--reference-model), so its tensors have no layer names to be "
                                                  "matched to")
    from importlib.util import find_spec

    if runtime not in TFLITE and find_spec("onnx") is None:
        return _outputs_only(last, served, batch, "reading ONNX Runtime's intermediate tensors needs the package onnx, "
                                                  "which is not installed (pip install onnx)")
    try:
        if runtime in TFLITE:
            candidates, out_name, values, output = tflite_tensors(served.runner, batch)
            how = "TFLite (experimental_preserve_all_tensors=True)"
        else:
            candidates, out_name, values, output = onnx_tensors(Path(served.file), batch)
            how = "ONNX Runtime (every node output added as a graph output)"
    except Exception as exc:  # noqa: BLE001 - each runtime raises its own types for a graph it cannot instrument
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        return _outputs_only(last, served, batch, f"the runtime could not keep {file_name}'s intermediate tensors ({first})")
    row = np.asarray((_softmax(output) if served.softmax else output)[0], dtype=np.float32)
    found = map_tensors(candidates, out_name, layers, channels_first=runtime not in TFLITE)
    if not any(k != len(layers) - 1 for k in found):
        return _outputs_only(last, served, batch, f"none of {file_name}'s tensor names carries a Keras layer's name "
                                                  "with that layer's output shape")
    names, arrays = [], []
    for k, (name, _shape) in enumerate(layers):
        if k in found:
            c, fit = found[k]
            names.append(name)
            arrays.append(row if k == len(layers) - 1 and candidates[c].name == out_name else _row(values[candidates[c].name], fit))
    if names[-1] != last:  # the graph's output is the model's last layer's, whatever its tensor is named
        names.append(last)
        arrays.append(row)
    missing = [name for name, _ in layers if name not in names]
    one = len(missing) == 1
    note = (f"{how}: {len(names)} of {len(layers)} Keras layers matched to a tensor by name and shape"
            + (f"; {len(missing)} {'has no tensor of its' if one else 'have no tensor of their'} own (fused into a "
               f"neighbouring op, such as a BatchNorm folded into its convolution) and {'is' if one else 'are'} left out: "
               f"{_listed(missing)}." if missing else "."))
    return RuntimeLayers(names, arrays, row, [note], len(names), len(layers))


def _outputs_only(name: str, served: Any, batch: np.ndarray, why: str) -> RuntimeLayers:
    """The plain call's output row alone, with the sentence saying why no layer is compared."""
    output = np.asarray(served.forward(batch)[0], dtype=np.float32)
    return RuntimeLayers([name], [output], output, [f"Only the outputs are compared: {why}."], 0, 0)


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return (shifted / shifted.sum(axis=-1, keepdims=True)).astype(np.float32)


def _listed(names: list[str], shown: int = 12) -> str:
    head = ", ".join(names[:shown])
    return head if len(names) <= shown else f"{head} and {len(names) - shown} more"
