"""The typed records a result carries: its environment, the facts of its image, and its timings.

Each is a frozen dataclass with an exact JSON round trip: ``Record.from_dict(d).to_dict() == d`` for every dict a
result file has held. A key goes into its field when its value has the field's JSON type; any other key (one a
newer vggcompare wrote, one an older one wrote and this one no longer names, or a known key holding null or an
unexpected type) is kept, as read, in ``extra``, so reading never fails on it and writing the file back changes
nothing. A field that is None was absent from the file and is not written.

Adding a field: add one line to the class, ``name: TYPE | None = field_of(KIND)`` with KIND one of ``str``, ``int``,
``float``, ``bool``, ``STR_LIST``, ``INT_LIST`` or ``STR_DICT`` (a JSON object), and set it where the record is made (the engine writes the dicts
that ``from_dict`` reads). Files without it read as None; older vggcompare versions keep it in their ``extra``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

STR_LIST = "list of str"
INT_LIST = "list of int"
STR_DICT = "object of str"


def field_of(kind: Any) -> Any:
    """An optional record field whose JSON value has type ``kind`` (see the module docstring)."""
    return field(default=None, metadata={"json": kind})


def _fits(kind: Any, value: Any) -> bool:
    """True when a JSON ``value`` has the field type ``kind`` (a bool is not a number; a float is finite)."""
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if kind is str:
        return isinstance(value, str)
    if kind == STR_DICT:
        return isinstance(value, dict) and all(isinstance(k, str) for k in value)
    if kind in (STR_LIST, INT_LIST):
        item = str if kind == STR_LIST else int
        return isinstance(value, list) and all(isinstance(v, item) and not isinstance(v, bool) for v in value)
    raise TypeError(f"unknown record field type {kind!r}")


class JsonRecord:
    """The JSON round trip shared by the records: known keys in typed fields, every other key in ``extra``."""

    extra: Mapping[str, Any]
    KEYS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]):
        """The record of a JSON object; never fails on an unknown key or value (those stay in ``extra``)."""
        kinds = {f.name: f.metadata["json"] for f in dataclasses.fields(cls) if "json" in f.metadata}
        values, extra = {}, {}
        for key, value in data.items():
            if key in kinds and _fits(kinds[key], value):
                values[key] = tuple(value) if kinds[key] in (STR_LIST, INT_LIST) else value
            else:
                extra[key] = value
        return cls(**values, extra=extra)

    @classmethod
    def json_keys(cls) -> tuple[str, ...]:
        """The JSON keys the record has a field for."""
        return tuple(f.name for f in dataclasses.fields(cls) if "json" in f.metadata)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object: the fields that are set (lists for tuples), then the extra keys as read."""
        data: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if "json" in f.metadata and value is not None:
                data[f.name] = list(value) if isinstance(value, tuple) else value
        data.update(self.extra)
        return data

    def value(self, key: str, default: Any = None) -> Any:
        """The value under a JSON key (a field or an extra key), for code that walks keys by name."""
        return self.to_dict().get(key, default)


@dataclass(frozen=True)
class Environment(JsonRecord):
    """What a run's numbers depend on: versions, backend, kernel library, CPU, threads, precision, call path."""

    python: str | None = field_of(str)
    numpy: str | None = field_of(str)
    backend: str | None = field_of(str)
    keras: str | None = field_of(str)
    tensorflow: str | None = field_of(str)
    jax: str | None = field_of(str)
    backend_version: str | None = field_of(str)
    device: str | None = field_of(str)
    intra_op_threads: int | None = field_of(int)
    inter_op_threads: int | None = field_of(int)
    threads_default: bool | None = field_of(bool)
    jax_matmul_precision: str | None = field_of(str)
    platform: str | None = field_of(str)
    cpu: str | None = field_of(str)
    cpu_count: int | None = field_of(int)
    cpu_flags: tuple[str, ...] | None = field_of(STR_LIST)
    kernels: str | None = field_of(str)
    kernels_choice: str | None = field_of(str)
    kernels_default: str | None = field_of(str)
    precision: str | None = field_of(str)
    precision_policy: str | None = field_of(str)
    bfloat16: str | None = field_of(str)
    bfloat16_evidence: str | None = field_of(str)
    bfloat16_speed_ratio: float | None = field_of(float)
    deterministic_ops: bool | None = field_of(bool)
    passes_per_call: int | None = field_of(int)
    rows_per_call: int | None = field_of(int)
    call_path: str | None = field_of(str)
    training_mode: bool | None = field_of(bool)
    loader: str | None = field_of(str)
    opencv: str | None = field_of(str)
    batchnorm_layers: int | None = field_of(int)
    dropout_layers_in_model: int | None = field_of(int)
    augmentation_layers_in_model: tuple[str, ...] | None = field_of(STR_LIST)
    model: str | None = field_of(str)
    model_outputs: str | None = field_of(str)
    augmentation_layers_in_model: tuple[str, ...] | None = field_of(STR_LIST)
    preprocessing_in_model: tuple[str, ...] | None = field_of(STR_LIST)
    preprocess: str | None = field_of(str)
    runtime: str | None = field_of(str)  # where the model was served: an export's runtime (core.model.runtimes)
    runtime_call: str | None = field_of(str)
    runtime_versions: Mapping[str, Any] | None = field_of(STR_DICT)
    runtime_settings: Mapping[str, Any] | None = field_of(STR_DICT)
    converter: Mapping[str, Any] | None = field_of(STR_DICT)
    export_sha256: str | None = field_of(str)
    export_file: str | None = field_of(str)
    export_made: bool | None = field_of(bool)
    export_seconds: float | None = field_of(float)
    calibration_photos: tuple[str, ...] | None = field_of(STR_LIST)
    model_sha256: str | None = field_of(str)  # the .keras copy the Python API saved beside the result
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImageFacts(JsonRecord):
    """What a result records about its image, with the pixel hash that ``reproduce`` checks."""

    source: str | None = field_of(str)
    format: str | None = field_of(str)
    original_mode: str | None = field_of(str)
    original_size: tuple[int, ...] | None = field_of(INT_LIST)
    size: tuple[int, ...] | None = field_of(INT_LIST)
    frame_count: int | None = field_of(int)
    notes: tuple[str, ...] | None = field_of(STR_LIST)
    pixels_sha256: str | None = field_of(str)
    model_input_size: tuple[int, ...] | None = field_of(INT_LIST)
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Timings(JsonRecord):
    """Seconds of each stage of a run."""

    model_seconds: float | None = field_of(float)
    first_call_seconds: float | None = field_of(float)
    passes_seconds: float | None = field_of(float)
    seconds_per_pass: float | None = field_of(float)
    passes_per_second: float | None = field_of(float)
    total_seconds: float | None = field_of(float)
    explain_seconds: float | None = field_of(float)
    extra: Mapping[str, Any] = field(default_factory=dict)
