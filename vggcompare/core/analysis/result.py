"""The result of a run: its configuration, the (N, C) probabilities, and what was recorded with them.

The file format lives in :mod:`vggcompare.core.storage.result_file`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vggcompare.core.analysis.explanation import Explanation
from vggcompare.core.analysis.layers import LayerTrace
from vggcompare.core.analysis.records import Environment, ImageFacts, Timings
from vggcompare.core.analysis.stats import PassStatistics, compute_statistics
from vggcompare.core.config import ExperimentConfig


@dataclass
class Thumbnail:
    """A small picture of one model input as the model saw it, with a caption."""

    pass_index: int
    png: bytes
    caption: str



@dataclass
class RunResult:
    """Everything one run produced. ``probabilities`` is (N, C) float32, kept exactly."""

    config: ExperimentConfig
    labels: list[str]
    probabilities: np.ndarray
    augmentation: list[dict[str, Any]]
    environment: Environment
    timings: Timings
    notes: list[str] = field(default_factory=list)
    image: ImageFacts = field(default_factory=ImageFacts)
    thumbnails: list[Thumbnail] = field(default_factory=list)
    name: str = ""
    created: str = ""
    verdict: str = ""
    explanation: Explanation | None = None  # the maps of the first K passes, when --explain was given
    layers: LayerTrace | None = field(default=None, repr=False)  # every layer's output for pass 1 (run --layers)
    layer_comparison: Any = None  # LayerComparison: a training-mode run with layers, against inference
    _stats: PassStatistics | None = field(default=None, repr=False)
    history_entry: Any = field(default=None, repr=False, compare=False)  # set when the window's worker saved it

    def __post_init__(self) -> None:
        """Accept the records' JSON objects too (a dict becomes its typed record)."""
        for name, record in (("environment", Environment), ("timings", Timings), ("image", ImageFacts)):
            value = getattr(self, name)
            if isinstance(value, dict):
                setattr(self, name, record.from_dict(value))

    @property
    def statistics(self) -> PassStatistics:
        """The pass statistics, computed on first use."""
        if self._stats is None:
            self._stats = compute_statistics(self.probabilities, self.labels)
        return self._stats

    @property
    def passes(self) -> int:
        """Number of passes N."""
        return int(self.probabilities.shape[0])
