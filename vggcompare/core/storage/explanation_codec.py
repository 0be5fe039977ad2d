"""The explanation maps in a result file: an optional ``explanation`` object (older files have none).

Maps are little-endian float16 arrays in base64 with their shape: ``maps`` (K or 1, H, W), ``mean``
and ``std`` (H, W). Loading checks every part and raises :class:`ResultFileError` with one sentence.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from vggcompare.core.analysis.explanation import METHODS, Explanation
from vggcompare.core.errors import ResultFileError

_F16 = np.dtype("<f2")


def explanation_to_json(e: Explanation) -> dict[str, Any]:
    """The JSON object of an Explanation."""
    return {
        "method": e.method, "class_index": e.class_index, "class_name": e.class_name, "target": e.target,
        "layer": e.layer, "passes": e.passes, "identical": e.identical, "units": e.units, "notes": list(e.notes),
        "maps": _encode(e.maps), "mean": _encode(e.mean), "std": _encode(e.std),
        "picture_png_base64": base64.b64encode(e.picture_png).decode("ascii"),
    }


def _encode(a: np.ndarray) -> dict[str, Any]:
    return {"shape": list(a.shape), "float16_base64": base64.b64encode(np.ascontiguousarray(a, _F16).tobytes()).decode("ascii")}


def _decode(doc: Any, ndim: int) -> np.ndarray:
    shape = doc["shape"]
    if not isinstance(shape, list) or len(shape) != ndim or not all(isinstance(n, int) and n > 0 for n in shape):
        raise ValueError("bad shape")
    raw = base64.b64decode(doc["float16_base64"], validate=True)
    return np.frombuffer(raw, dtype=_F16).reshape(shape).astype(np.float16)


def explanation_from_json(doc: Any, passes: int, classes: int) -> Explanation:
    """Check and build the Explanation of a run of ``passes`` passes and ``classes`` classes."""
    try:
        maps, mean, std = _decode(doc["maps"], 3), _decode(doc["mean"], 2), _decode(doc["std"], 2)
        e = Explanation(
            method=str(doc["method"]), class_index=int(doc["class_index"]), class_name=str(doc["class_name"]),
            target=str(doc["target"]), layer=str(doc["layer"]), maps=maps, mean=mean, std=std,
            passes=int(doc["passes"]), identical=bool(doc["identical"]), units=str(doc["units"]),
            notes=[str(n) for n in doc.get("notes", [])],
            picture_png=base64.b64decode(doc.get("picture_png_base64", ""), validate=True),
        )
    except (KeyError, TypeError, ValueError, AttributeError):  # binascii.Error is a ValueError
        raise ResultFileError("its explanation maps are malformed") from None
    if e.method not in METHODS or not 0 <= e.class_index < classes or not 1 <= e.passes <= passes:
        raise ResultFileError("its explanation maps do not belong to its passes")
    if len(maps) != (1 if e.identical else e.passes) or maps.shape[1:] != mean.shape or std.shape != mean.shape:
        raise ResultFileError("its explanation maps do not match their count or size")
    return e
