"""The result file: a run's versioned JSON document, written atomically and checked on load.

The JSON document has the top-level keys ``config``, ``environment``, ``labels``,
``probabilities`` (N lists of C floats; each is the exact float32 value, written as the
shortest float64 text that round-trips), ``augmentation`` (one dict of drawn parameters per
pass), ``statistics`` and ``verdict``, plus ``format``, ``format_version``, ``name``,
``created``, ``image``, ``notes``, ``timings``, ``thumbnails`` and, when maps were made,
``explanation`` (see :mod:`vggcompare.core.storage.explanation_codec`); a run made with ``--layers`` adds
``layers``: every layer's name, class and fingerprint (shape, min, max, mean, L2 norm, a strided sample and
the SHA-256 of the float32 bytes; core.analysis.layers). Writes are atomic; loading
checks everything and raises :class:`ResultFileError` with one sentence when anything is off.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import IO, Any

import numpy as np

from vggcompare.core.analysis.layers import LayerTrace
from vggcompare.core.analysis.records import Environment, ImageFacts, Timings
from vggcompare.core.analysis.result import RunResult, Thumbnail
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, ResultFileError
from vggcompare.core.atomic import atomic_write
from vggcompare.core.storage.explanation_codec import explanation_from_json, explanation_to_json

FORMAT = "vggcompare-result"

FORMAT_VERSION = 1

MAX_RESULT_BYTES = 4 * 1024**3



def result_to_json_dict(result: RunResult, include_probabilities: bool = True) -> dict[str, Any]:
    """Return the JSON document as a dict (probabilities as nested lists if asked)."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": result.name,
        "created": result.created,
        "config": result.config.to_dict(),
        "image": result.image.to_dict(),
        "environment": result.environment.to_dict(),
        "timings": result.timings.to_dict(),
        "notes": list(result.notes),
        "verdict": result.verdict,
        "statistics": result.statistics.to_dict(),
        "labels": list(result.labels),
        "augmentation": result.augmentation,
        "thumbnails": [
            {"pass_index": t.pass_index, "caption": t.caption, "png_base64": base64.b64encode(t.png).decode("ascii")}
            for t in result.thumbnails
        ],
    }
    if result.explanation is not None:  # optional: older files have none
        doc["explanation"] = explanation_to_json(result.explanation)
    if result.layers is not None:  # optional (run --layers): each layer's fingerprint, never the activations
        doc["layers"] = result.layers.to_dict()
    if result.layer_comparison is not None:  # a training-mode run with layers: against inference, layer by layer
        doc["layer_comparison"] = result.layer_comparison.to_dict()
    if include_probabilities:
        doc["probabilities"] = result.probabilities.astype(np.float64).tolist()
    return doc


def _write_json(handle: IO[bytes], result: RunResult) -> None:
    """Stream the document so a large N never needs one giant string in memory."""
    doc = result_to_json_dict(result, include_probabilities=False)
    head = json.dumps(doc, indent=1, allow_nan=False)
    handle.write(head[:-2].encode("utf-8"))  # drop the closing "\n}"
    handle.write(b',\n "probabilities": [')
    for i, row in enumerate(result.probabilities):
        if i:
            handle.write(b",")
        handle.write(b"\n  ")
        handle.write(json.dumps(row.astype(np.float64).tolist(), allow_nan=False).encode("ascii"))
    handle.write(b"\n ]\n}\n")



def save_result(result: RunResult, path: str | os.PathLike) -> Path:
    """Save a result as JSON, atomically (temporary file, fsync, rename)."""
    if not np.isfinite(result.probabilities).all():
        raise ResultFileError("the result holds NaN or infinite probabilities and cannot be saved as JSON")
    return atomic_write(path, lambda handle: _write_json(handle, result))



def load_result(path: str | os.PathLike) -> RunResult:
    """Load and check a result JSON file; raise ResultFileError with one sentence if it is bad."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_RESULT_BYTES:
            raise ResultFileError(f"{p.name} is larger than 4 GB and is not a result file")
        with open(p, "rb") as handle:
            doc = json.load(handle)
    except ResultFileError:
        raise
    except FileNotFoundError:
        raise ResultFileError(f"{p} does not exist") from None
    except IsADirectoryError:
        raise ResultFileError(f"{p} is a folder, not a result file") from None
    except OSError as exc:
        raise ResultFileError(f"{p} cannot be read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ResultFileError(f"{p.name} is not valid JSON; it may be damaged or truncated") from None
    try:
        return result_from_json_dict(doc)
    except ResultFileError as exc:
        raise ResultFileError(f"{p.name}: {exc}") from None



def result_from_json_dict(doc: Any) -> RunResult:
    """Build a RunResult from a parsed JSON document, checking every part."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ResultFileError("this is not a vggcompare result file")
    version = doc.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise ResultFileError(f"it was written by a newer vggcompare (result format version {version}; this program reads "
                              f"{FORMAT_VERSION}): update vggcompare to read it")
    if version != FORMAT_VERSION:
        raise ResultFileError(f"result format version {version!r} is not supported (this program reads {FORMAT_VERSION})")
    missing = [k for k in ("config", "environment", "labels", "probabilities", "augmentation", "statistics", "verdict") if k not in doc]
    if missing:
        raise ResultFileError(f"the file lacks {', '.join(missing)}")
    try:
        config = ExperimentConfig.from_dict(doc["config"])
    except ConfigError as exc:
        raise ResultFileError(f"its configuration is invalid ({exc})") from None
    labels = doc["labels"]
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise ResultFileError("its labels are not a list of names")
    rows = doc["probabilities"]
    if not isinstance(rows, list) or not rows:
        raise ResultFileError("its probabilities are missing")
    try:
        probs64 = np.array(rows, dtype=np.float64)
    except (ValueError, TypeError):
        raise ResultFileError("its probabilities are not a table of numbers") from None
    if probs64.ndim != 2 or probs64.shape[1] != len(labels):
        raise ResultFileError(f"its probabilities do not match its {len(labels)} labels")
    probs = probs64.astype(np.float32)
    if not np.array_equal(probs.astype(np.float64), probs64) or not np.isfinite(probs).all():
        raise ResultFileError("its probabilities are not exact float32 values")
    if probs.shape[0] != config.passes:
        raise ResultFileError(f"it holds {probs.shape[0]} passes but its configuration says {config.passes}")
    augmentation = doc["augmentation"]
    if not isinstance(augmentation, list) or not all(isinstance(a, dict) for a in augmentation):
        raise ResultFileError("its augmentation record is malformed")
    expected = config.passes if config.augment.enabled else 0
    if len(augmentation) != expected:
        raise ResultFileError(f"it records augmentation for {len(augmentation)} passes, not {expected}")
    stats = doc["statistics"]
    if not isinstance(stats, dict) or stats.get("passes") != config.passes or stats.get("classes") != len(labels):
        raise ResultFileError("its statistics do not belong to its probabilities")
    thumbs = []
    for t in doc.get("thumbnails", []):
        try:
            thumbs.append(Thumbnail(int(t["pass_index"]), base64.b64decode(t["png_base64"], validate=True), str(t["caption"])))
        except (KeyError, TypeError, ValueError):
            raise ResultFileError("its thumbnails are malformed") from None
    timings = Timings.from_dict(_dict(doc.get("timings", {}), "timings"))
    if any(key in timings.extra for key in Timings.json_keys()):  # a known timing that is not a finite number
        raise ResultFileError("its timings are malformed")
    layers = doc.get("layers")
    if layers is not None:
        try:
            layers = LayerTrace.from_dict(layers)
        except ValueError as exc:
            raise ResultFileError(str(exc)) from None
    layer_comparison = doc.get("layer_comparison")
    if layer_comparison is not None:
        from vggcompare.core.analysis.layers import LayerComparison

        try:
            layer_comparison = LayerComparison.from_dict(layer_comparison)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ResultFileError("its layer comparison is malformed") from None
    explanation = doc.get("explanation")
    if explanation is not None:
        explanation = explanation_from_json(explanation, config.passes, len(labels))
    return RunResult(
        explanation=explanation,
        layers=layers,
        layer_comparison=layer_comparison,
        config=config,
        labels=labels,
        probabilities=probs,
        augmentation=augmentation,
        environment=Environment.from_dict(_dict(doc["environment"], "environment")),
        timings=timings,
        notes=[str(n) for n in doc.get("notes", [])],
        image=ImageFacts.from_dict(_dict(doc.get("image", {}), "image")),
        thumbnails=thumbs,
        name=str(doc.get("name", "")),
        created=str(doc.get("created", "")),
        verdict=str(doc["verdict"]),
    )



def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ResultFileError(f"its {what} record is malformed")
    return value

