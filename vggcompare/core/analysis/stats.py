"""Statistics over N passes, and the comparison of two runs. Pure NumPy."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

_CHUNK_ROWS = 4096  # rows of float64 work at a time, so memory stays bounded for large N


@dataclass(frozen=True)
class ClassStat:
    """One class's statistics over the passes."""

    index: int
    label: str
    mean: float
    std: float
    min: float
    max: float


@dataclass(frozen=True)
class PassStatistics:
    """Everything the verdict and the plots need to know about one run's passes."""

    passes: int
    classes: int
    mean: np.ndarray  # (C,) float64
    variance: np.ndarray  # (C,) float64, population variance over passes
    min: np.ndarray  # (C,) float32
    max: np.ndarray  # (C,) float32
    top5: tuple[ClassStat, ...]
    top1_mode: int  # most common top-1 class index
    top1_agreement: float  # share of passes whose top-1 is top1_mode
    top1_mode_count: int
    distinct_top1: int
    top1_counts: dict[int, int]
    max_abs_deviation_from_first: float
    all_bit_identical: bool
    entropy_of_mean: float  # nats
    mean_entropy: float  # nats
    mutual_information: float  # nats; entropy_of_mean - mean_entropy
    max_std: float
    max_std_class: int

    @property
    def std(self) -> np.ndarray:
        """Per-class standard deviation over passes."""
        return np.sqrt(self.variance)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (per-class arrays included as lists)."""
        return {
            "passes": self.passes,
            "classes": self.classes,
            "top5": [asdict(c) for c in self.top5],
            "top1_mode": self.top1_mode,
            "top1_mode_count": self.top1_mode_count,
            "top1_agreement": self.top1_agreement,
            "distinct_top1": self.distinct_top1,
            "top1_counts": {str(k): v for k, v in sorted(self.top1_counts.items())},
            "max_abs_deviation_from_first": self.max_abs_deviation_from_first,
            "all_bit_identical": self.all_bit_identical,
            "entropy_of_mean": self.entropy_of_mean,
            "mean_entropy": self.mean_entropy,
            "mutual_information": self.mutual_information,
            "max_std": self.max_std,
            "max_std_class": self.max_std_class,
            "mean": self.mean.tolist(),
            "variance": self.variance.tolist(),
        }


def bits(x: np.ndarray) -> np.ndarray:
    """View an array's values as unsigned integers, so equality means bit-for-bit equality."""
    x = np.ascontiguousarray(x)
    return x.view(np.dtype(f"u{x.dtype.itemsize}"))


def _entropy(p: np.ndarray) -> np.ndarray:
    """Shannon entropy in nats along the last axis, treating 0·log 0 as 0."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(p), 0.0)
    return terms.sum(axis=-1)


def compute_statistics(probabilities: np.ndarray, labels: Sequence[str]) -> PassStatistics:
    """Compute per-class and whole-run statistics of an (N, C) array of probabilities.

    Parameters
    ----------
    probabilities : ndarray, shape (N, C)
        One row of class probabilities per pass, as the model returned them.
    labels : sequence of str
        C class names, in index order.

    Returns
    -------
    PassStatistics
        Means and variances are computed in float64, in chunks, so memory stays bounded.
    """
    probs = np.asarray(probabilities)
    if probs.ndim != 2 or probs.shape[0] < 1 or probs.shape[1] < 1:
        raise ValueError(f"probabilities must be a non-empty (N, C) array, got shape {probs.shape}")
    n, c = probs.shape
    if len(labels) != c:
        raise ValueError(f"{len(labels)} labels for {c} classes")
    total = np.zeros(c, dtype=np.float64)
    entropies = np.empty(n, dtype=np.float64)
    top1 = np.empty(n, dtype=np.int64)
    first = probs[0]
    max_dev = 0.0
    identical = True
    for start in range(0, n, _CHUNK_ROWS):
        block = probs[start : start + _CHUNK_ROWS]
        total += block.sum(axis=0, dtype=np.float64)
        entropies[start : start + len(block)] = _entropy(block)
        top1[start : start + len(block)] = block.argmax(axis=1)
        dev = np.abs(block.astype(np.float64) - first.astype(np.float64)).max()
        max_dev = max(max_dev, float(dev))
        if identical and not (bits(block) == bits(first)).all():
            identical = False
    mean = total / n
    sq = np.zeros(c, dtype=np.float64)
    for start in range(0, n, _CHUNK_ROWS):
        block = probs[start : start + _CHUNK_ROWS].astype(np.float64) - mean
        sq += (block * block).sum(axis=0)
    variance = sq / n
    if identical:
        variance = np.zeros(c, dtype=np.float64)  # exact, free of rounding in the mean
    counts_arr = np.bincount(top1, minlength=c)
    mode = int(counts_arr.argmax())
    counts = {int(k): int(counts_arr[k]) for k in np.flatnonzero(counts_arr)}
    vmin, vmax = probs.min(axis=0), probs.max(axis=0)
    std = np.sqrt(variance)
    order = np.argsort(-mean, kind="stable")[: min(5, c)]
    top5 = tuple(
        ClassStat(int(i), str(labels[i]), float(mean[i]), float(std[i]), float(vmin[i]), float(vmax[i]))
        for i in order
    )
    entropy_of_mean = float(_entropy(mean))
    mean_entropy = float(entropies.mean())
    max_std_class = int(std.argmax())
    return PassStatistics(
        passes=n,
        classes=c,
        mean=mean,
        variance=variance,
        min=vmin,
        max=vmax,
        top5=top5,
        top1_mode=mode,
        top1_agreement=float(counts_arr[mode]) / n,
        top1_mode_count=int(counts_arr[mode]),
        distinct_top1=len(counts),
        top1_counts=counts,
        max_abs_deviation_from_first=max_dev,
        all_bit_identical=identical,
        entropy_of_mean=entropy_of_mean,
        mean_entropy=mean_entropy,
        mutual_information=max(0.0, entropy_of_mean - mean_entropy) if not identical else 0.0,
        max_std=float(std[max_std_class]),
        max_std_class=max_std_class,
    )
