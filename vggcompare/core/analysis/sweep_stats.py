"""Numbers of a sweep: one image under a variant against the reference, and each variant over all images.

Pure NumPy. Every figure a sweep prints or draws is computed here from the stored rows.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

from vggcompare.core.analysis.stats import compute_statistics

Z95 = 1.959963984540054  # the normal quantile for a two-sided 95% interval
_TINY = 1e-12  # probabilities are clipped to this before logarithms


@dataclass(frozen=True)
class ImageVariantNumbers:
    """How one image's output under a variant differs from its output under the reference."""

    reference_top1_index: int
    top1_index: int
    top1_probability: float  # mean over passes
    top1_changed: bool
    top5_overlap: int
    largest_change: float  # largest |mean probability change| of any class
    largest_change_index: int
    kl_divergence: float  # KL(reference mean || variant mean), nats
    within_std: float | None  # largest per-class std over passes; None for one pass


def image_numbers(reference: np.ndarray, variant: np.ndarray) -> ImageVariantNumbers:
    """Compare a variant's (N, C) probabilities with the reference's (N', C) for one image."""
    labels = [""] * reference.shape[1]
    ref, var = compute_statistics(reference, labels), compute_statistics(variant, labels)
    diff = var.mean - ref.mean
    worst = int(np.abs(diff).argmax())
    p = np.clip(ref.mean, _TINY, None)
    q = np.clip(var.mean, _TINY, None)
    kl = float(np.sum(p / p.sum() * (np.log(p / p.sum()) - np.log(q / q.sum()))))
    return ImageVariantNumbers(
        reference_top1_index=ref.top1_mode,
        top1_index=var.top1_mode,
        top1_probability=float(var.mean[var.top1_mode]),
        top1_changed=var.top1_mode != ref.top1_mode,
        top5_overlap=len({c.index for c in ref.top5} & {c.index for c in var.top5}),
        largest_change=float(abs(diff[worst])),
        largest_change_index=worst,
        kl_divergence=max(kl, 0.0),
        within_std=float(var.max_std) if var.passes > 1 else None,
    )


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95% by default); (0, 1) when there are no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class VariantSummary:
    """One variant over every image it ran on."""

    variant: str
    images: int  # images with a result
    errors: int  # images that could not be used
    top1_changed: int
    flip_rate: float | None
    flip_rate_low: float | None
    flip_rate_high: float | None
    largest_change_median: float | None
    largest_change_p95: float | None
    top5_overlap_mean: float | None
    kl_divergence_mean: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def summarise_variant(name: str, rows: Sequence[dict]) -> VariantSummary:
    """Aggregate one variant's rows (dicts with the columns of the sweep table)."""
    good = [r for r in rows if not r.get("error")]
    n = len(good)
    if n == 0:
        return VariantSummary(name, 0, len(rows), 0, None, None, None, None, None, None, None)
    changed = sum(1 for r in good if r["top1_changed"])
    low, high = wilson_interval(changed, n)
    change = np.array([r["largest_change"] for r in good], dtype=np.float64)
    return VariantSummary(
        variant=name,
        images=n,
        errors=len(rows) - n,
        top1_changed=changed,
        flip_rate=changed / n,
        flip_rate_low=low,
        flip_rate_high=high,
        largest_change_median=float(np.median(change)),
        largest_change_p95=float(np.percentile(change, 95)),
        top5_overlap_mean=float(np.mean([r["top5_overlap"] for r in good])),
        kl_divergence_mean=float(np.mean([r["kl_divergence"] for r in good])),
    )


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%" if x == 0 or x >= 0.01 else f"{100 * x:.1g}%"


def headline(summaries: Sequence[VariantSummary], images: int, reference: str) -> str:
    """One sentence a report can quote: each variant's flip rate with its 95% interval."""
    parts = []
    for s in summaries:
        if s.flip_rate is None:
            parts.append(f"{s.variant}: no usable image")
        else:
            parts.append(f"{s.variant} changes top-1 on {_pct(s.flip_rate)} of images "
                         f"({s.top1_changed} of {s.images}; 95% interval {_pct(s.flip_rate_low)}–{_pct(s.flip_rate_high)})")
    if not parts:
        return f"No variant to compare with the reference ({reference})."
    return f"On these {images} image{'s' if images != 1 else ''}, against {reference}: " + "; ".join(parts) + "."
