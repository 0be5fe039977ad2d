"""The checkup: every cause as one variant against the user's pipeline on one image, ranked by how far it moves
the probabilities, with what the user's code would do to hit each; causes that cannot apply say why.

:func:`run_checkup` is a generator like the engine's: it yields progress and returns a :class:`Checkup`. Each
report says "cause k of n: name", and the one that ends a cause carries its row, so rows can be shown as they come.
The model is prepared once and every cause reuses it (variants such as bfloat16 or dropout are copies of it).
The kernel library and the thread count are fixed when TensorFlow starts, so those two causes run in new Python
processes, started once the first row is out (so their TensorFlow imports do not slow it) to work while the other
in-process causes run, and are measured against the reference.

checkup.json
------------
:meth:`Checkup.to_dict` makes the one form of ``checkup.json`` (written by ``vggcompare checkup`` and by
``vggcompare.Checkup.save``; read back by ``vggcompare.open``). A JSON object:

- ``format``: ``"vggcompare-checkup-1"``;
- ``image``, ``model``, ``reference_top1``: strings; ``reference``: the reference's configuration (``ExperimentConfig.to_dict``);
- ``passes_run``: int; ``seconds``: float; ``environment``: the reference run's environment record;
- ``rows``: a list, ranked (measured first, largest change first), of objects with
  ``cause``, ``setting``, ``sentence`` (what the user's code would do), ``status`` (``"measured"`` or
  ``"not applicable"``), ``reason`` (why not, one sentence; '' when measured), ``largest_change`` (float or null),
  ``top1_changed``, ``top5_changed`` (bool or null), ``top1``, ``against``, ``against_top1`` (strings),
  ``seconds`` (float), ``export_seconds`` (float or null: a runtime's export), and ``top5``, ``against_top5``
  (lists of ``[label, mean probability]`` pairs: the cause's and its reference's five most probable classes).

A "not applicable" reason that an option's rule gives is that rule's sentence (:mod:`vggcompare.core.option_rules`);
a new kind of cause adds fields to a row only with a default, so older files still read.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Generator

from vggcompare.core.analysis.records import Environment
from vggcompare.core.analysis.sweep_stats import image_numbers
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, ExportError, ImageError, ModelError, RunCancelled, UserFunctionError
from vggcompare.core.job_driver import relay
from vggcompare.core.input.images import LoadedImage
from vggcompare.core.studies.checkup_causes import INSIDE_TWICE, TRAINING_CALLS, Cause, causes_for, reference_config
from vggcompare.core.studies.checkup_own import own_function_causes
from vggcompare.core.studies.checkup_rows import (
    CHECKUP_FORMAT, CHECKUP_STAGE, MEASURED, NOT_APPLICABLE, CauseRow, Checkup, CheckupProgress, cause_message,
)
from vggcompare.core.studies.checkup_fresh import FreshProcessError, start_fresh, wait_fresh, without_file
from vggcompare.core.process.fresh import stop_all


__all__ = ["CHECKUP_FORMAT", "MEASURED", "NOT_APPLICABLE", "CauseRow", "Checkup", "CheckupProgress", "run_checkup"]


def run_checkup(config: ExperimentConfig, image: LoadedImage | None = None, cancel: Callable[[], bool] | None = None,
                allow_download: bool = True, new_processes: bool = True, pipeline: Any = None,
                model_file: str | None = None, runs: dict | None = None, layers: bool = False) -> Generator[Any, None, Checkup]:
    """Run the reference and every applicable cause (one pass each, unless the cause needs more); return the Checkup.

    It yields :class:`CheckupProgress` reports ("cause k of n: name"); the one that ends a cause carries its
    :class:`CauseRow`, measured or not applicable, in the order the causes run (the Checkup ranks them).
    ``new_processes=False`` leaves out the causes that need a new Python process (kernel library, threads).
    ``pipeline`` (core.input.user_functions.UserPipeline) holds the caller's own functions that ``config`` names;
    ``model_file`` is a saved copy of an in-memory model, which the new processes load instead.
    ``runs``, if given, is filled with each RunResult (by cause; the reference as "reference") as soon as it is
    made, so a caller keeps the runs of a checkup cancelled half-way; the Checkup's ``runs`` is that dict.
    ``layers=True`` also runs one instrumented pass per run and compares each measured cause with what it is measured
    against, layer by layer (each row's ``enters_at`` and ``layers``; ``row.layer_comparison()`` reads it back).

    Examples
    --------
    >>> for report in run_checkup(config):                          # doctest: +SKIP
    ...     if report.row is not None: print(row_line(report.row))  # core.studies.checkup_rows.row_line
    """
    from vggcompare.core.passes.engine import resolve_image

    t0 = time.perf_counter()
    config, image = resolve_image(config, image)  # once: the runs below get the picture and its path
    ref_cfg = reference_config(config)
    causes = own_function_causes(causes_for(ref_cfg, image), ref_cfg)
    causes = [without_file(c, image, new_processes, ref_cfg, model_file) for c in causes]
    fresh: dict[str, Any] = {}  # started once the first row is out
    start = lambda: fresh.update(start_fresh(causes, ref_cfg, image, model_file, layers))  # noqa: E731
    try:
        return (yield from _run_all(image, cancel, allow_download, ref_cfg, causes, fresh, start, t0, pipeline,
                                    {} if runs is None else runs, layers))
    finally:
        stop_all(fresh)


def _run_all(image, cancel, allow_download, ref_cfg, causes, fresh, start_fresh_causes, t0, pipeline, results, layers=False):
    from vggcompare.core.passes.engine import run_passes

    probs: dict[str, Any] = {}
    n = len(causes)

    def report(k: int, message: str, stage: str = CHECKUP_STAGE, row: CauseRow | None = None, cause: str = "") -> CheckupProgress:
        return CheckupProgress(stage, k, n, time.perf_counter() - t0, None, message, row, cause)

    def step(k: int, key: str, message: str):
        def change(p):
            if k == 0 and p.stage == "loading":  # the reference starts the backend and prepares the model: say so
                return report(k, p.message, "loading", cause=key)
            return report(k, message, cause=key)  # every later step is its cause's
        return change

    def run(key: str, cfg: ExperimentConfig, k: int, message: str) -> Generator[Any, None, None]:
        gen = run_passes(cfg, image, cancel=cancel, allow_download=allow_download, split_training=False, pipeline=pipeline,
                         layers="trace" if layers else False)
        result = yield from relay(gen, step(k, key, message))
        result.name = f"checkup: {key}"
        results[key] = result
        probs[key] = result.probabilities

    yield from run("reference", ref_cfg, 0, "the reference: your pipeline, one pass")
    labels = results["reference"].labels
    rows, passes, started = [], 1, False
    targets = {c.against for c in causes if c.against} | {"reference"}  # traces other rows are measured against
    for k, cause in enumerate(causes, 1):
        if cancel is not None and cancel():
            raise RunCancelled("the checkup was cancelled")
        if not started and (k > 1 or cause.fresh_process):  # once the first row is out
            start_fresh_causes()
            started = True
        row = CauseRow(cause.key, cause.setting, cause.sentence, NOT_APPLICABLE, cause.not_applicable,
                       against=cause.against or "reference")
        rows.append(row)
        message = cause_message(k, n, cause.key, "a new Python process" if cause.fresh_process else "")
        if cause.not_applicable:
            pass
        elif cause.changes.get("training_part") == "augmentation" and not results["reference"].environment.augmentation_layers_in_model:
            row.reason = "no augmentation layer inside the model"
        elif cause.key == INSIDE_TWICE and not results["reference"].environment.preprocessing_in_model:
            row.reason = "no Rescaling or Normalization layer inside the model"
        else:
            passes += yield from _run_cause(row, cause, k, message, ref_cfg, fresh, results, probs, labels, cancel, report, run)
            if layers and cause.key in results:
                _compare_layers(row, cause, results, targets)
        yield report(k, message, row=row, cause=cause.key)
    rows.sort(key=lambda r: (r.status != MEASURED, -(r.largest_change or 0.0)))
    ref = results["reference"]
    return Checkup(image=image.source, model=ref.environment.model or "", reference=ref_cfg.to_dict(),
                   reference_top1=labels[ref.statistics.top1_mode], rows=rows, passes_run=passes,
                   seconds=round(time.perf_counter() - t0, 3), environment=ref.environment.to_dict(), runs=results)


def _run_cause(row, cause, k, message, ref_cfg, fresh, results, probs, labels, cancel, report, run):
    """Run one applicable cause and fill its row; return the passes it ran (0 when it failed and says why)."""
    start = time.perf_counter()
    try:  # each cause's configuration is validated once: by start_fresh, or by run_passes
        if cause.fresh_process:
            yield from wait_fresh(cause.key, fresh[cause.key], results, probs, cancel, lambda: report(k, message, cause=cause.key))
        else:
            yield from run(cause.key, ref_cfg.replace(**cause.changes), k, message)
    except (ImageError, ConfigError, FreshProcessError, ExportError, UserFunctionError, ModelError) as exc:  # e.g. a reader
        row.reason = str(exc).rstrip(".")
        return 0
    row.seconds = round(fresh[cause.key].seconds if cause.fresh_process else time.perf_counter() - start, 4)
    _measure(row, cause, results, probs, labels)
    _export_time(row, results[cause.key].environment)
    return results[cause.key].config.passes


def _export_time(row: CauseRow, env: Environment) -> None:
    """A runtime's row says how long its export took to make, or that it was reused from the cache."""
    if env.export_seconds is not None:
        row.export_seconds = float(env.export_seconds)
        made = "exported" if env.export_made else "cached export"
        row.setting = f"{row.setting} ({made}, {row.export_seconds:.1f} s)"


def _compare_layers(row: CauseRow, cause: Cause, results: dict, targets: set[str]) -> None:
    """The row's layer comparison against what it is measured against; a cause's trace is then let go (memory)."""
    from vggcompare.core.analysis.layers import compare_layers
    from vggcompare.core.errors import VggCompareError

    mine, theirs = results[cause.key].layers, results[row.against].layers
    if row.status == MEASURED and mine is not None and theirs is not None:
        try:
            comparison = compare_layers(theirs, mine)
        except (ValueError, VggCompareError) as exc:
            row.enters_at = f"not compared ({str(exc).rstrip('.')})"
        else:
            row.layers = comparison.to_dict()
            row.enters_at = comparison.enters_text(row.largest_change)
    if cause.key not in targets:
        results[cause.key].layers = None


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
    if cause.key == TRAINING_CALLS and layers[0] == 0 and n.largest_change == 0:
        row.reason = "no BatchNorm layer: training-mode calls leave no moving statistics behind"
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
    if cause.key == TRAINING_CALLS:
        row.note = next((text for text in results[cause.key].notes if "moving statistics" in text), "")
    row.largest_change = n.largest_change
    row.top1_changed = n.top1_changed
    row.top5_changed = n.top5_overlap < 5
    row.top1 = labels[n.top1_index]
    row.against_top1 = labels[n.reference_top1_index]
    row.top5 = _top5(results[cause.key])
    row.against_top5 = _top5(results[against])


def _top5(result) -> list:
    """A run's five most probable classes as [label, mean probability] pairs."""
    return [[c.label, float(c.mean)] for c in result.statistics.top5]
