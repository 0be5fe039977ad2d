"""Every layer's activations as a NumPy .npz file: how a run in a new process on this machine hands its instrumented
pass back for an exact comparison (a result file keeps only fingerprints). Read without pickle."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from vggcompare.core.analysis.layers import LayerTrace
from vggcompare.core.errors import ResultFileError


def write_layer_arrays(trace: LayerTrace, path: str | os.PathLike) -> Path:
    """Write the trace's activations, in layer order (atomically)."""
    from vggcompare.core.atomic import atomic_write

    arrays = {f"layer_{i:05d}": a for i, a in enumerate(trace.arrays or [])}
    return atomic_write(path, lambda handle: np.savez(handle, **arrays))


def read_layer_arrays(path: str | os.PathLike, trace: LayerTrace) -> list[np.ndarray]:
    """The activations written by :func:`write_layer_arrays`, checked against the trace's fingerprints."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = [np.asarray(data[f"layer_{i:05d}"], dtype=np.float32) for i in range(len(trace.names))]
    except (OSError, KeyError, ValueError) as exc:
        raise ResultFileError(f"the layer activations of a new-process run cannot be read ({exc})") from None
    from vggcompare.core.analysis.layers import fingerprint

    if [fingerprint(a).sha256 for a in arrays] != [f.sha256 for f in trace.fingerprints]:
        raise ResultFileError("the layer activations of a new-process run do not match its result's fingerprints")
    return arrays
