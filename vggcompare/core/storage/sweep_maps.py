"""A sweep's explanation maps: one image × variant's mean map as the bytes of a small float16 ``.npy``.

The sweep table keeps them in its ``maps`` table, written in the same transaction as the group's rows,
so a sweep killed at any moment keeps the maps of every group it finished and a resume computes none
again. Reading uses ``np.load(allow_pickle=False)`` and checks the array: a damaged or foreign map is
one sentence (:class:`SweepMapError`), never a crash.
"""

from __future__ import annotations

import io

import numpy as np

from vggcompare.core.errors import VggCompareError

_F16 = np.dtype("<f2")
MAX_SIDE = 4096  # larger than any model's input


class SweepMapError(VggCompareError):
    """A map stored in a sweep table cannot be read."""


def encode_map(mean: np.ndarray) -> bytes:
    """The ``.npy`` bytes of a mean map (H, W), stored as little-endian float16."""
    out = io.BytesIO()
    np.save(out, np.ascontiguousarray(mean, _F16), allow_pickle=False)
    return out.getvalue()


def decode_map(data: bytes, where: str) -> np.ndarray:
    """The (H, W) float16 map in ``data``; ``where`` names it in the one-sentence error."""
    try:
        a = np.load(io.BytesIO(bytes(data)), allow_pickle=False)
    except (ValueError, OSError, EOFError, TypeError) as exc:
        raise SweepMapError(f"the explanation map of {where} is damaged or not a map ({exc})") from None
    if not isinstance(a, np.ndarray) or a.dtype != _F16 or a.ndim != 2 or not all(0 < n <= MAX_SIDE for n in a.shape):
        raise SweepMapError(f"the explanation map of {where} is not a float16 (height, width) map "
                            f"({getattr(a, 'dtype', '?')}, shape {getattr(a, 'shape', '?')})")
    if not np.isfinite(a).all():
        raise SweepMapError(f"the explanation map of {where} holds values that are not finite numbers")
    return a
