"""Position in the batch: which rows of each forward call differ, when nothing random is on.

The same input repeated in one forward call can give different outputs by row: a CPU kernel may
handle a batch's last rows (a remainder of its vector or block width) with another instruction
sequence, so their sums round differently. Measured on an AVX2-only EPYC with a tiny Conv-GAP-Dense
model: at batch 8 rows 7–8 differed from row 1 by 7.5e-9; at batches 4 and 16 no row did. On an NVIDIA H200
under JAX (default, TF32-like matmul precision), VGG19's row 16 of every call of 16 differed by 5.8e-8.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vggcompare.core.analysis.stats import bits


@dataclass(frozen=True)
class RowPattern:
    """How the passes of a run without random sources differ, by their row in the forward call.

    ``rows`` are the 0-based rows (within a call of ``per_call`` passes) that differ from row 0 of
    the same call in at least one call; ``calls_differ`` says whether calls differ from each other at the
    same row (something other than the row's position); ``largest`` is the largest difference of any
    pass from pass 1.
    """

    per_call: int
    calls: int
    rows: tuple[int, ...]
    row_difference: float  # largest difference of a row from row 0 of its own call
    calls_differ: bool
    largest: float


def row_pattern(probabilities: np.ndarray, per_call: int) -> RowPattern | None:
    """Analyse passes made ``per_call`` per forward call; None when all are bit-identical."""
    p = np.asarray(probabilities)
    n = p.shape[0]
    per_call = max(1, min(int(per_call), n))
    words = bits(p)
    if (words == words[0]).all():
        return None
    rows: set[int] = set()
    row_diff = 0.0
    for start in range(0, n, per_call):
        block, ref = p[start : start + per_call], p[start]
        same = (bits(block) == bits(ref[None])).all(axis=1)
        rows.update(int(j) for j in np.flatnonzero(~same))
        if not same.all():
            row_diff = max(row_diff, float(np.abs(block.astype(np.float64) - ref.astype(np.float64)).max()))
    calls_differ = False
    for j in range(per_call):
        at_row = words[j::per_call]
        if len(at_row) > 1 and not (at_row == at_row[0]).all():
            calls_differ = True
    largest = float(np.abs(p.astype(np.float64) - p[0].astype(np.float64)).max())
    return RowPattern(per_call, -(-n // per_call), tuple(sorted(rows)), row_diff, calls_differ, largest)


def row_sentence(pattern: RowPattern, fmt) -> str:
    """The verdict's sentence for a pattern, from its numbers (``fmt`` formats a difference)."""
    if pattern.rows and not pattern.calls_differ:
        first = _ranges([r + 1 for r in range(pattern.per_call) if r not in pattern.rows])
        every = "the forward call" if pattern.calls == 1 else f"each of the {pattern.calls} forward calls"
        return (
            f"Rows {_ranges([r + 1 for r in pattern.rows])} of {every} ({pattern.per_call} passes per call) differ from "
            f"rows {first} by up to {fmt(pattern.row_difference)}: the same input at another row of one forward call. "
            "The device's kernel handles some rows of the batch differently (for example the last rows, a remainder of its "
            "vector or tile width), so their sums round differently; one pass per call, or another batch size, avoids it."
        )
    if pattern.rows:
        return (
            f"Within each forward call of {pattern.per_call}, rows {_ranges([r + 1 for r in pattern.rows])} differ from the "
            f"first row by up to {fmt(pattern.row_difference)}, and the calls also differ from each other at the same row "
            f"(largest difference {fmt(pattern.largest)}): besides the row's position, something changed between calls."
        )
    return (
        f"Every forward call's rows agree with each other, but the calls differ from each other by up to "
        f"{fmt(pattern.largest)}: the same batch gave different numbers in another call (for example kernels "
        "that split work between threads differently from call to call)."
    )


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7] -> '1–3 and 7'."""
    parts: list[str] = []
    for n in sorted(numbers):
        if parts and isinstance(parts[-1], list) and parts[-1][1] == n - 1:
            parts[-1][1] = n
        else:
            parts.append([n, n])
    text = [f"{a}" if a == b else f"{a}–{b}" for a, b in parts]
    return text[0] if len(text) == 1 else ", ".join(text[:-1]) + " and " + text[-1]
