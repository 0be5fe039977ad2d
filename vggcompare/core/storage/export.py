"""CSV and JSON exports of a run, written atomically and never over an existing file unless asked."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from vggcompare.core.atomic import atomic_write_text
from vggcompare.core.analysis.result import RunResult
from vggcompare.core.storage.result_file import save_result


class ExportExists(FileExistsError):
    """The export target exists and overwriting was not allowed."""


def _target(path: str | os.PathLike, overwrite: bool) -> Path:
    p = Path(path)
    if p.exists() and not overwrite:
        raise ExportExists(f"{p} already exists; choose another name or allow overwriting")
    return p


def class_statistics_csv(result: RunResult) -> str:
    """Per-class statistics as CSV text: class index, label, mean, std, variance, min, max."""
    s = result.statistics
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["class_index", "label", "mean", "std", "variance", "min", "max"])
    std = s.std
    for i, label in enumerate(result.labels):
        writer.writerow([i, label, repr(float(s.mean[i])), repr(float(std[i])), repr(float(s.variance[i])),
                         repr(float(s.min[i])), repr(float(s.max[i]))])
    return out.getvalue()


def pass_probabilities_csv(result: RunResult) -> str:
    """Per-pass probabilities as CSV text: one row per pass, one column per class (exact float32 values)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["pass", *result.labels])
    for i, row in enumerate(result.probabilities):
        writer.writerow([i + 1, *(repr(float(v)) for v in row)])
    return out.getvalue()


def environment_csv(result: RunResult) -> str:
    """The run's environment record as CSV text: field, value (lists joined by spaces)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["field", "value"])
    for key, value in result.environment.to_dict().items():
        writer.writerow([key, " ".join(map(str, value)) if isinstance(value, list) else value])
    return out.getvalue()


def export_environment(result: RunResult, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write the environment CSV atomically."""
    return atomic_write_text(_target(path, overwrite), environment_csv(result))


def export_class_statistics(result: RunResult, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write the per-class statistics CSV atomically."""
    return atomic_write_text(_target(path, overwrite), class_statistics_csv(result))


def export_pass_probabilities(result: RunResult, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write the per-pass probabilities CSV atomically."""
    return atomic_write_text(_target(path, overwrite), pass_probabilities_csv(result))


def export_json(result: RunResult, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write the full result JSON atomically."""
    return save_result(result, _target(path, overwrite))
