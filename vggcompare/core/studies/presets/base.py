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
    pair: str = ""  # steps compared only with each other share a pair's name: where one does not apply, both are left out


def step_reason(config: ExperimentConfig) -> str:
    """Why a step's settings do not apply to the model as it is served, in one sentence; '' when they do.

    The sentence is the option rule's (core.option_rules: an exported runtime has no precision policy, call path,
    training mode…) or the model form's (core.model.model_forms: a SavedModel folder has no layers to switch).
    """
    from vggcompare.core.option_rules import broken_rule

    reason = broken_rule(config)
    if not reason and config.is_custom_model:
        from vggcompare.core.model.model_forms import settings_reason

        reason = settings_reason(config)
    return reason


def applicable_steps(steps: list[Step], pairs: bool = True) -> tuple[list[Step], list[str]]:
    """The steps whose settings apply, and one note per step left out saying why.

    With ``pairs``, a step whose pair partner does not apply is left out with it (its comparison has no other side).
    """
    reasons = {step.label: step_reason(step.config) for step in steps}
    missing_pairs = {step.pair: step.label for step in steps if step.pair and reasons[step.label]}
    kept, notes = [], []
    for step in steps:
        if reasons[step.label]:
            notes.append(f"'{step.label}' is skipped: {reasons[step.label]}.")
        elif pairs and step.pair in missing_pairs:
            notes.append(f"'{step.label}' is skipped with '{missing_pairs[step.pair]}', the run it is compared with.")
        else:
            kept.append(step)
    return kept, notes


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
        """The demonstration's runs for ``config``; ``image`` (a LoadedImage) spares reading the picture's file.

        Every step is listed, also one whose settings do not apply to the model (see :meth:`applicable`).
        """
        return [Step(*step) for step in self.steps(config, image)]

    def applicable(self, config: ExperimentConfig, image=None) -> tuple[list[Step], list[str]]:
        """The runs that apply to ``config``'s model as it is served, and a note on each step skipped and why.

        A step whose settings break an option rule (an exported runtime has no bfloat16 policy) or that the model's
        form cannot take (a SavedModel folder has no layers) is skipped, with its pair partner, instead of stopping
        the demonstration.
        """
        return applicable_steps(self.plan(config, image))


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
