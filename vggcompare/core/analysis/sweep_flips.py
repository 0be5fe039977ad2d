"""The images behind a flip rate: the rows of one variant whose top-1 flipped, largest change first.

Pure Python over the sweep table's rows. The window's grid and the sweep report show what this returns
and compute nothing themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class FlippedImage:
    """One image whose top-1 answer under a variant differs from its answer under the reference."""

    image_index: int
    image: str
    variant: str
    reference_top1_label: str
    reference_top1_probability: float | None  # mean over the reference's passes; None if its row is missing
    top1_label: str
    top1_probability: float  # the variant's mean probability of its own top-1
    largest_change: float
    largest_change_label: str
    thumbnail: bytes | None = None  # PNG bytes from the table, when asked for


def flipped_images(rows: Sequence[dict], variant: str, thumbnails: dict[int, bytes] | None = None) -> list[FlippedImage]:
    """The rows of ``variant`` whose top-1 flipped, sorted by their largest probability change (largest first).

    ``rows`` are the sweep table's rows (:meth:`SweepTable.rows`); the reference is variant index 0, and its
    row of the same image gives the reference's top-1 probability. Rows with an error are left out.
    """
    reference = {r["image_index"]: r for r in rows if r["variant_index"] == 0 and not r["error"]}
    out = []
    for r in rows:
        if r["variant"] != variant or r["variant_index"] == 0 or r["error"] or not r["top1_changed"]:
            continue
        ref = reference.get(r["image_index"])
        out.append(FlippedImage(
            image_index=r["image_index"], image=r["image"], variant=variant,
            reference_top1_label=r["reference_top1_label"],
            reference_top1_probability=None if ref is None else float(ref["top1_probability"]),
            top1_label=r["top1_label"], top1_probability=float(r["top1_probability"]),
            largest_change=float(r["largest_change"]), largest_change_label=r["largest_change_label"],
            thumbnail=(thumbnails or {}).get(r["image_index"]),
        ))
    return sorted(out, key=lambda f: (-f.largest_change, f.image_index))


def worst_variant(summary: dict) -> str | None:
    """The variant with the highest flip rate in a sweep summary (more flips break a tie); None if none has one."""
    rated = [v for v in summary["variants"] if v["flip_rate"] is not None]
    if not rated:
        return None
    return max(rated, key=lambda v: (v["flip_rate"], v["top1_changed"]))["variant"]
