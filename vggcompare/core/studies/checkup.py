"""The checkup: every cause as one variant against the user's pipeline on one image, ranked by how far it moves
the probabilities, with what the user's code would do to hit each; causes that cannot apply say why.

:func:`run_checkup` is a generator like the engine's: it yields progress and returns a :class:`Checkup`.
The model is prepared once and every cause reuses it (variants such as bfloat16 or dropout are copies of it).
The kernel library and the thread count are fixed when TensorFlow starts, so those two causes run in new Python
processes, started first so that they work while the in-process causes run, and are measured against the reference.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Generator

from vggcompare.core.analysis.sweep_stats import image_numbers
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, ImageError, ModelError, RunCancelled
from vggcompare.core.job_driver import relay
from vggcompare.core.input.images import LoadedImage, load_image
from vggcompare.core.studies.checkup_causes import INSIDE_TWICE, Cause, causes_for, reference_config
from vggcompare.core.studies.checkup_fresh import FreshProcessError, start_fresh, wait_fresh, without_file
from vggcompare.core.process.fresh import stop_all

MEASURED, NOT_APPLICABLE = "measured", "not applicable"


@dataclass
class CauseRow:
    """One cause's line of the checkup."""

    cause: str
    setting: str
    sentence: str
    status: str
    reason: str = ""
    largest_change: float | None = None
    top1_changed: bool | None = None
    top5_changed: bool | None = None
    top1: str = ""
    against: str = "reference"
    against_top1: str = ""
    seconds: float = 0.0


@dataclass
class Checkup:
    """A checkup's outcome: the rows ranked (measured first, largest change first), and what it ran on."""

    image: str
    model: str
    reference: dict[str, Any]
    reference_top1: str
    rows: list[CauseRow] = field(default_factory=list)
    passes_run: int = 0
    seconds: float = 0.0
    environment: dict[str, Any] = field(default_factory=dict)
    runs: dict[str, Any] = field(default_factory=dict, repr=False)  # the RunResults, by cause (not in checkup.json)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what checkup.json holds)."""
        data = asdict(self)
        data.pop("runs")
        data["format"] = "vggcompare-checkup-1"
        return data

    def headline(self) -> str:
        """One sentence from the numbers: how many causes moved the output, and which changed the answer."""
        measured = [r for r in self.rows if r.status == MEASURED]
        flips = [r.cause for r in measured if r.top1_changed]
        moved = [r for r in measured if r.largest_change]
        text = f"{len(moved)} of {len(measured)} causes measured moved the output"
        if measured:
            from vggcompare.core.analysis.verdict import fmt

            text += f"; the largest change is from {measured[0].cause} ({fmt(measured[0].largest_change)})"
        text += f"; {len(flips)} changed the top-1 ({', '.join(flips)})." if flips else "; none changed the top-1."
        return text


    def table(self, sentences: bool = True) -> tuple[list[str], list[list[str]]]:
        """The ranked table: columns and rows of text (measured causes first, largest change first)."""
        from vggcompare.core.analysis.verdict import fmt

        columns = ["#", "cause", "setting", "largest probability change", "top-1", "top-5"]
        rows = []
        for k, r in enumerate(self.rows, 1):
            if r.status == MEASURED:
                top1 = f"changed: {r.against_top1} → {r.top1}" if r.top1_changed else "same"
                cells = [str(k), r.cause, r.setting, fmt(r.largest_change), top1, "changed" if r.top5_changed else "same"]
            else:
                cells = [str(k), r.cause, r.setting, "not applicable", r.reason, ""]
            rows.append(cells + ([r.sentence] if sentences else []))
        return columns + (["what your code would do"] if sentences else []), rows

    def as_outcome(self):
        """The checkup as a demonstration's outcome (the report's one page): table, headline, bars."""
        from vggcompare.core.studies.presets.base import PresetOutcome

        columns, rows = self.table(sentences=False)
        measured = [r for r in self.rows if r.status == MEASURED]
        outcome = PresetOutcome("checkup", "Checkup: every cause against your pipeline",
                                f"Each cause at its most common setting, one pass, against the reference "
                                f"({self.reference.get('loader', 'load-img')} loader, {self.reference.get('call', 'compiled')} call) "
                                f"on {self.image.replace(chr(92), '/').rsplit('/', 1)[-1]}; reference top-1: {self.reference_top1}.",
                                model=self.model, runs=dict(self.runs), columns=columns,
                                rows=[row for row, r in zip(rows, self.rows) if r.status == MEASURED], headline=self.headline())
        outcome.notes = [f"Not applicable: {'; '.join(f'{r.cause} ({r.reason})' for r in self.rows if r.status != MEASURED)}."]
        outcome.bars = [(r.cause, float(r.largest_change)) for r in measured]
        outcome.bars_label = "largest change of any class's probability against the reference"
        return outcome


def run_checkup(config: ExperimentConfig, image: LoadedImage | None = None, cancel: Callable[[], bool] | None = None,
                allow_download: bool = True, new_processes: bool = True) -> Generator[Any, None, Checkup]:
    """Run the reference and every applicable cause (one pass each, unless the cause needs more); return the Checkup.

    ``new_processes=False`` leaves out the causes that need a new Python process (kernel library, threads)."""
    from vggcompare.core.passes.engine import Progress, run_passes

    t0 = time.perf_counter()
    if image is None:
        if not config.image:
            raise ConfigError("no image was given")
        image = load_image(config.image)
    ref_cfg = reference_config(config.replace(image=image.source if not config.image else config.image))
    causes = [without_file(c, image, new_processes) for c in causes_for(ref_cfg, image)]
    fresh = start_fresh(causes, ref_cfg, image)
    try:
        return (yield from _run_all(config, image, cancel, allow_download, ref_cfg, causes, fresh, t0))
    finally:
        stop_all(fresh)


def _run_all(config, image, cancel, allow_download, ref_cfg, causes, fresh, t0):
    from vggcompare.core.passes.engine import Progress, run_passes

    probs: dict[str, Any] = {}
    results: dict[str, Any] = {}

    def run(key: str, cfg: ExperimentConfig, k: int) -> Generator[Any, None, None]:
        gen = run_passes(cfg, image, cancel=cancel, allow_download=allow_download, split_training=False)
        result = yield from relay(gen, lambda p: Progress(p.stage, k, len(causes) + 1, time.perf_counter() - t0, None,
                                                          f"Checkup {k + 1} of {len(causes) + 1}: {key}"))
        results[key] = result
        probs[key] = result.probabilities

    yield from run("reference", ref_cfg, 0)
    labels = results["reference"].labels
    rows, passes = [], 1
    for k, cause in enumerate(causes, 1):
        if cancel is not None and cancel():
            raise RunCancelled("the checkup was cancelled")
        row = CauseRow(cause.key, cause.setting, cause.sentence, NOT_APPLICABLE, cause.not_applicable,
                       against=cause.against or "reference")
        rows.append(row)
        if cause.not_applicable:
            continue
        if cause.changes.get("training_part") == "augmentation" and not results["reference"].environment.augmentation_layers_in_model:
            row.reason = "no augmentation layer inside the model: nothing to draw"
            continue
        if cause.key == INSIDE_TWICE and not results["reference"].environment.preprocessing_in_model:
            row.reason = "the model has no Rescaling or Normalization layer: it preprocesses nothing inside"
            continue
        start = time.perf_counter()
        try:
            cfg = ref_cfg.replace(**cause.changes).validate()
            if cause.fresh_process:
                yield from wait_fresh(cause.key, fresh[cause.key], results, probs, cancel,
                                      lambda: Progress("passes", k, len(causes) + 1, time.perf_counter() - t0, None,
                                                       f"Checkup {k + 1} of {len(causes) + 1}: {cause.key} (a new Python process)"))
            else:
                yield from run(cause.key, cfg, k)
        except (ImageError, ConfigError, FreshProcessError, ModelError) as exc:  # e.g. one reader cannot read the file
            row.reason = str(exc).rstrip(".")
            continue
        row.seconds = round(fresh[cause.key].seconds if cause.fresh_process else time.perf_counter() - start, 4)
        passes += cfg.passes
        _measure(row, cause, results, probs, labels)
    rows.sort(key=lambda r: (r.status != MEASURED, -(r.largest_change or 0.0)))
    ref = results["reference"]
    return Checkup(image=image.source, model=ref.environment.model or "", reference=ref_cfg.to_dict(),
                   reference_top1=labels[ref.statistics.top1_mode], rows=rows, passes_run=passes,
                   seconds=round(time.perf_counter() - t0, 3), environment=ref.environment.to_dict(), runs=results)


def _measure(row: CauseRow, cause: Cause, results: dict, probs: dict, labels: list[str]) -> None:
    """Fill a cause's numbers against what it is measured against, or say why it changed nothing by construction."""
    against = cause.against if cause.against in probs else "reference"
    row.against = against
    n = image_numbers(probs[against], probs[cause.key])
    env = results[cause.key].environment
    layers = (env.batchnorm_layers or 0, env.dropout_layers_in_model or 0, len(env.augmentation_layers_in_model or ()))
    part = cause.changes.get("training_part", "all")
    missing = {"all": layers == (0, 0, 0), "batchnorm": layers[0] == 0, "dropout": layers[1] == 0}.get(part, False)
    if cause.key.startswith("training mode") and missing and n.largest_change == 0:
        row.reason = {"all": "no BatchNorm, Dropout or augmentation layer: training mode changes nothing",
                      "batchnorm": "no BatchNorm layer: no batch statistics to use",
                      "dropout": "no Dropout layer: nothing to drop"}[part]
        return
    if cause.key == "dropout" and n.largest_change == 0 and results[cause.key].config.is_custom_model:
        row.reason = "the model has no Dropout layer to keep on"
        return
    if cause.fresh_process:
        setting, field_ = ("kernels", "kernel library") if "kernels" in cause.changes else ("intra_op_threads", "thread count")
        same = env.value(setting) == results["reference"].environment.value(setting)
        if same:
            row.reason = f"the new process ran with the same {field_} as this one ({env.value(setting)}), so it measured nothing"
            return
    row.status = MEASURED
    row.largest_change = n.largest_change
    row.top1_changed = n.top1_changed
    row.top5_changed = n.top5_overlap < 5
    row.top1 = labels[n.top1_index]
    row.against_top1 = labels[n.reference_top1_index]
