"""One-click demonstrations: each preset runs its experiments and ends on a comparison or grid.

Presets take the model from the current configuration (except the small-CNN one, which needs a
model with dropout layers), so they work with random weights or a custom model when the ImageNet
weights are absent. Every headline and table cell is computed from the runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Generator

from vggcompare.core.analysis.compare import RunComparison, compare_results
from vggcompare.core.config import AugmentConfig, ExperimentConfig
from vggcompare.core.run.engine import Progress, run_passes
from vggcompare.core.errors import ConfigError
from vggcompare.core.input.images import LoadedImage
from vggcompare.core.analysis.result import RunResult
from vggcompare.core.analysis.verdict import fmt


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


@dataclass(frozen=True)
class Preset:
    """A named demonstration with one or two sentences of explanation."""

    name: str
    title: str
    explanation: str
    steps: Callable[[ExperimentConfig], list[tuple[str, ExperimentConfig]]]
    summarise: Callable[[PresetOutcome], None]


def _clean(cfg: ExperimentConfig, **changes) -> ExperimentConfig:
    """The current model and image with every variation source off, then ``changes``."""
    base = cfg.replace(seeding="once", augment=AugmentConfig(enabled=False), reinit_weights=False, dropout=None,
                       pitfalls=(), batch_size=None, precision="float32", deterministic_ops=False, threads=None)
    return base.replace(**changes)


def _top1(r: RunResult) -> str:
    s = r.statistics
    return f"{r.labels[s.top1_mode]} ({fmt(s.mean[s.top1_mode])})"


def _within(r: RunResult) -> str:
    s = r.statistics
    return "bit-identical passes" if s.all_bit_identical else f"largest std {fmt(s.max_std)}"


def _cmp(o: PresetOutcome, a: str, b: str) -> RunComparison:
    c = compare_results(o.runs[a], o.runs[b], a, b)
    o.comparisons.append((a, b, c))
    return c


# --- 1. the popular answer, example 1 -------------------------------------------------------
def _p1_steps(cfg):
    written = _clean(cfg, seed=42, augment=AugmentConfig(enabled=True), pitfalls=("rescale-after-preprocess",))
    return [("as written", written), ("without the rescale", written.replace(pitfalls=()))]


def _p1_sum(o):
    c = _cmp(o, "as written", "without the rescale")
    o.columns = ["run", "top-1 (mean probability)", "top-1 agreement", "within the run"]
    o.rows = [[k, _top1(r), f"{r.statistics.top1_agreement:.0%}", _within(r)] for k, r in o.runs.items()]
    o.headline = (f"With the rescale after preprocess_input, the largest change in any class's mean probability is "
                  f"{fmt(c.numbers.max_mean_difference)}; top-1 is {'the same' if c.numbers.same_top1 else 'different'} "
                  f"({_top1(o.runs['as written'])} vs {_top1(o.runs['without the rescale'])}).")


# --- 2. the popular answer, example 2 -------------------------------------------------------
def _p2_steps(cfg):
    return [("predict twice, no seed", _clean(cfg, seeding="off", passes=2, batch_size=1))]


def _p2_sum(o):
    r = o.runs["predict twice, no seed"]
    s = r.statistics
    o.columns = ["forward call", "top-1", "largest difference from call 1"]
    o.rows = [[f"call {i + 1}", f"{r.labels[int(r.probabilities[i].argmax())]} ({fmt(float(r.probabilities[i].max()))})",
               fmt(float(abs(r.probabilities[i].astype('f8') - r.probabilities[0]).max()))] for i in range(r.passes)]
    o.headline = ("Two forward calls on the same array (one pass per call, as predict in a loop), with no seed, gave "
                  "bit-identical outputs: an unset seed did not make inference vary." if s.all_bit_identical else
                  f"The two forward calls differ by up to {fmt(s.max_abs_deviation_from_first)}.")


# --- 3. the popular answer, example 3 -------------------------------------------------------
def _p3_steps(cfg):
    from vggcompare.core.model.small_cnn import small_cnn_path

    model = str(small_cnn_path())
    base = ExperimentConfig(image=cfg.image, model=model, passes=cfg.passes, dropout=0.5)
    return [("seeded run 1", base.replace(seeding="once", seed=42)), ("seeded run 2", base.replace(seeding="once", seed=42)),
            ("unseeded run 1", base.replace(seeding="off")), ("unseeded run 2", base.replace(seeding="off"))]


def _p3_sum(o):
    a = _cmp(o, "seeded run 1", "seeded run 2")
    b = _cmp(o, "unseeded run 1", "unseeded run 2")
    o.columns = ["pair", "repeat reproduced?", "largest difference", "within run 1"]
    o.rows = [["seeded (seed 42)", "yes, bit for bit" if a.numbers.bit_identical else "no", fmt(a.numbers.max_abs_difference), _within(o.runs["seeded run 1"])],
              ["unseeded", "yes, bit for bit" if b.numbers.bit_identical else "no", fmt(b.numbers.max_abs_difference), _within(o.runs["unseeded run 1"])]]
    varied = [k for k in ("seeded run 1", "unseeded run 1") if not o.runs[k].statistics.all_bit_identical]
    within = ("the passes varied within both runs" if len(varied) == 2 else
              f"the passes varied within {len(varied)} of the 2 runs")
    o.headline = (f"With dropout running, {within}; the seeded run {'repeated exactly' if a.numbers.bit_identical else 'did not repeat'}, "
                  f"the unseeded one {'repeated exactly' if b.numbers.bit_identical else 'did not'} "
                  f"(largest difference {fmt(b.numbers.max_abs_difference)}).")
    o.model = "a small CNN with Dropout(0.5), random weights (made by vggcompare)"


# --- 4. seeding x augmentation --------------------------------------------------------------
_CELLS = [(s, a) for s in ("off", "once") for a in (False, True)]


def _cell(s, a, k):
    return f"seeding {s}, augmentation {'on' if a else 'off'}, run {k}"


def _p4_steps(cfg):
    return [(_cell(s, a, k), _clean(cfg, seeding=s, augment=AugmentConfig(enabled=a))) for s, a in _CELLS for k in (1, 2)]


def _p4_sum(o):
    o.columns = ["seeding", "augmentation off", "augmentation on"]
    vary, repro = [], []
    for s in ("off", "once"):
        row = [s]
        for a in (False, True):
            c = _cmp(o, _cell(s, a, 1), _cell(s, a, 2))
            rep = "repeat identical" if c.numbers.bit_identical else f"repeat differs by {fmt(c.numbers.max_abs_difference)}"
            row.append(f"{_within(o.runs[_cell(s, a, 1)])}; {rep}")
            name = f"seeding {s} + augmentation {'on' if a else 'off'}"
            if not o.runs[_cell(s, a, 1)].statistics.all_bit_identical:
                vary.append(name)
            if c.numbers.bit_identical:
                repro.append(name)
        o.rows.append(row)
    o.headline = (f"Passes differed within a run in {len(vary)} of 4 cells ({', '.join(vary) or 'none'}); "
                  f"a repeat reproduced the run bit for bit in {len(repro)} of 4 ({', '.join(repro) or 'none'}).")
    if o.runs[_cell("off", False, 1)].config.model == "vgg19-random":
        o.notes.append("With random weights and no seed, each run draws new weights, so even a run without augmentation does not repeat.")


# --- 5. preprocessing pitfalls --------------------------------------------------------------
def _p5_steps(cfg):
    ref = _clean(cfg, passes=1, interpolation="nearest")
    steps = [("reference (caffe, nearest)", ref)]
    for p in ("double-preprocess", "rescale-after-preprocess", "no-bgr-swap"):
        if p == "no-bgr-swap" and ref.effective_preprocess != "caffe":
            continue
        steps.append((f"pitfall {p}", ref.replace(pitfalls=(p,))))
    for interp in ("bilinear", "bicubic", "lanczos", "box", "hamming"):
        steps.append((f"{interp} resize", ref.replace(interpolation=interp)))
    return steps


def _p5_sum(o):
    ref_name = "reference (caffe, nearest)"
    ref = o.runs[ref_name]
    o.columns = ["variant", "top-1", "top-5 shared with reference", "largest probability change"]
    o.rows = [[ref_name, _top1(ref), "5 of 5", "0"]]
    worst = ("", -1.0)
    changed = 0
    for name in list(o.runs)[1:]:
        c = _cmp(o, ref_name, name)
        changed += not c.numbers.bit_identical
        o.rows.append([name, _top1(o.runs[name]), f"{c.numbers.top5_overlap} of 5", fmt(c.numbers.max_abs_difference)])
        o.bars.append((name, c.numbers.max_abs_difference))
        o.bars_label = "largest change of any class's probability against the reference"
        if c.numbers.max_abs_difference > worst[1]:
            worst = (name, c.numbers.max_abs_difference)
    o.headline = (f"{changed} of {len(o.runs) - 1} variants changed the output (each run has one pass: these changes are "
                  f"deterministic, not random); the largest change is from {worst[0]} ({fmt(worst[1])}).")


# --- 6. numerics ----------------------------------------------------------------------------
def _p6_steps(cfg):
    n = max(2, min(cfg.passes, 8))
    base = _clean(cfg, passes=n)
    return [("one pass per call", base.replace(batch_size=1)), (f"{n} passes per call", base.replace(batch_size=n)),
            ("float32", base), ("bfloat16", base.replace(precision="bfloat16")),
            ("deterministic ops off", base), ("deterministic ops on", base.replace(deterministic_ops=True)),
            ("1 thread (fresh process)", base.replace(threads=1)), ("all threads (fresh process)", base)]


def _p6_sum(o):
    names = list(o.runs)
    o.columns = ["comparison", "bit-identical?", "largest difference", "same top-1?"]
    for a, b in zip(names[::2], names[1::2]):
        c = _cmp(o, a, b)
        o.bars.append((f"{a} vs {b}", c.numbers.max_abs_difference))
        o.bars_label = "largest difference of any probability"
        o.rows.append([f"{a} vs {b}", "yes" if c.numbers.bit_identical else "no",
                       "none" if c.numbers.bit_identical else fmt(c.numbers.max_abs_difference), "yes" if c.numbers.same_top1 else "no"])
    o.headline = "Numerics: " + "; ".join(f"{r[0]}: {r[2]}" for r in o.rows) + "."


PRESETS: dict[str, Preset] = {p.name: p for p in [
    Preset("popular-1", "Popular answer, example 1 as written",
           "Seed 42 with the answer's augmentation, including rescale=1./255 applied after preprocess_input. "
           "The comparison with the same run without that rescale shows the damage the rescale does.", _p1_steps, _p1_sum),
    Preset("popular-2", "Popular answer, example 2: predict twice",
           "No seed, fixed weights, the same array sent through the model in two separate forward calls, as "
           "predict would be called twice. The answer says unseeded runs differ; this measures whether they do.", _p2_steps, _p2_sum),
    Preset("popular-3", "Popular answer, example 3: a small CNN with dropout",
           "A small CNN with Dropout, random weights, dropout running at inference. Seeded, the run repeats; "
           "unseeded, it does not.", _p3_steps, _p3_sum),
    Preset("matrix", "Seeding × augmentation",
           "The four combinations of seeding and augmentation, each run twice: does each run vary within itself, "
           "and does its repeat reproduce it?", _p4_steps, _p4_sum),
    Preset("pitfalls", "Preprocessing pitfalls",
           "The correct pipeline against each common preprocessing mistake and each resize filter: "
           "how far each moves the top-5.", _p5_steps, _p5_sum),
    Preset("numerics", "Numerics",
           "One pass per call against batched, float32 against bfloat16, deterministic ops off against on, and one "
           "thread against all. It shows how small these differences are, including none.", _p6_steps, _p6_sum),
]}


def run_preset(
    name: str,
    config: ExperimentConfig,
    image: LoadedImage | None = None,
    cancel: Callable[[], bool] | None = None,
    allow_download: bool = True,
) -> Generator[Progress, None, PresetOutcome]:
    """Run a preset's experiments, yielding progress; return its outcome with table and headline."""
    preset = PRESETS.get(name)
    if preset is None:
        raise ConfigError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    steps = preset.steps(config)
    outcome = PresetOutcome(preset.name, preset.title, preset.explanation)
    for k, (label, step_cfg) in enumerate(steps, 1):
        prefix = f"{preset.title}: step {k} of {len(steps)} ({label})"
        if "fresh process" in label:
            from vggcompare.core.run.fresh import run_in_fresh_process

            yield Progress("passes", k - 1, len(steps), 0.0, None, f"{prefix}: starting a new Python process…")
            result = run_in_fresh_process(step_cfg, image_path=step_cfg.image, cancel=cancel)
        else:
            gen = run_passes(step_cfg, image, cancel=cancel, allow_download=allow_download)
            while True:
                try:
                    p = next(gen)
                except StopIteration as stop:
                    result = stop.value
                    break
                yield Progress(p.stage, p.done, p.total, p.elapsed, p.eta, f"{prefix}: {p.message}")
        result.name = f"{preset.name}: {label}"
        outcome.runs[label] = result
    preset.summarise(outcome)
    if not outcome.model:
        outcome.model = next(iter(outcome.runs.values())).environment.get("model", "")
    return outcome
