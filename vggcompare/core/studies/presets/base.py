"""What every demonstration shares: its outcome record, its definition, and small helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple

from vggcompare.core.analysis.compare import RunComparison, compare_results
from vggcompare.core.analysis.result import RunResult
from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.config import AugmentConfig, ExperimentConfig


@dataclass
class PresetOutcome:
    """What a preset produced: its runs, comparisons, a table and a headline from the numbers."""

    name: str
    title: str
    explanation: str
    model: str = ""
    runs: dict[str, RunResult] = field(default_factory=dict)
    comparisons: list[tuple[str, str, RunComparison]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    headline: str = ""
    notes: list[str] = field(default_factory=list)
    bars: list[tuple[str, float]] = field(default_factory=list)  # one number per variant, for a bar plot
    bars_label: str = ""
    pictures: dict[str, bytes] = field(default_factory=dict)  # file name -> PNG bytes, written beside the runs


class Step(NamedTuple):
    """One run of a demonstration: its label (for people), its settings, and whether it needs a new process."""

    label: str
    config: ExperimentConfig
    fresh_process: bool = False  # threads, kernels or backend that only a new Python process can have


@dataclass(frozen=True)
class Preset:
    """A named demonstration with one or two sentences of explanation."""

    name: str
    title: str
    explanation: str
    steps: Callable[..., list[tuple]]  # (config, image=None) -> (label, config) pairs or Steps; see plan()
    summarise: Callable[[PresetOutcome], None]
    prepare: Callable[[], object] | None = None  # run in the engine before the steps (e.g. build a model file)
    skip_unreadable: bool = False  # a step whose loader cannot read the image is left out with a note, not an error
    fresh_first: bool = False  # start the new-process steps before the others, to run beside them (not when timing them)
    layers: bool = False  # each run also keeps every layer's output (its comparisons then say where they differ)

    def plan(self, config: ExperimentConfig, image=None) -> list[Step]:
        """The demonstration's runs for ``config``; ``image`` (a LoadedImage) spares reading the picture's file."""
        return [Step(*step) for step in self.steps(config, image)]


def clean(cfg: ExperimentConfig, **changes) -> ExperimentConfig:
    """The current model and image with every variation source off, then ``changes``."""
    base = cfg.replace(seeding="once", augment=AugmentConfig(enabled=False), reinit_weights=False, dropout=None,
                       pitfalls=(), batch_size=None, precision="float32", deterministic_ops=False, threads=None)
    return base.replace(**changes)


def top1(r: RunResult) -> str:
    s = r.statistics
    return f"{r.labels[s.top1_mode]} ({fmt(s.mean[s.top1_mode])})"


def within(r: RunResult) -> str:
    s = r.statistics
    return "bit-identical passes" if s.all_bit_identical else f"largest std {fmt(s.max_std)}"


def record_comparison(o: PresetOutcome, a: str, b: str) -> RunComparison:
    c = compare_results(o.runs[a], o.runs[b], a, b)
    o.comparisons.append((a, b, c))
    return c
