"""Job functions for the engine-process and session tests: no TensorFlow, quick, predictable."""

from __future__ import annotations

import os
import signal
import sys
import time

from vggcompare.core.errors import ConfigError


def count(n: int, delay: float = 0.0):
    """Yield 1..n, then return their sum."""
    total = 0
    for i in range(1, n + 1):
        time.sleep(delay)
        total += i
        yield i
    return total


def plain(value):
    """Not a generator: return ``value`` at once."""
    return value


def fails(sentence: str):
    """Raise a user error after one progress report."""
    yield "started"
    raise ConfigError(sentence)


def endless(cancel=None):
    """Yield forever (every 10 ms) until cancelled; return how often it saw the cancel flag."""
    while True:
        time.sleep(0.01)
        yield "working"


def blocks_until_cancelled(cancel):
    """A long step with no yield: it polls the cancel callable, as the core's chunks do."""
    yield "started"
    while not cancel():
        time.sleep(0.01)
    return "saw the cancel"


def killed():
    """The engine dies mid-job, as with kill -9."""
    yield "about to die"
    os.kill(os.getpid(), signal.SIGKILL)


def backend_loaded() -> bool:
    """True if TensorFlow or Keras was imported in this process."""
    return "tensorflow" in sys.modules or "keras" in sys.modules


def environment(name: str):
    """The value of an environment variable in the engine."""
    return os.environ.get(name)


def unpicklable():
    """Return something that cannot travel between processes."""
    return lambda: None


def ignores_cancel(seconds: float = 60.0):
    """A job stuck in a long step that never looks at the cancel flag."""
    yield "stuck"
    time.sleep(seconds)
    return "finished anyway"


def fake_run(config, image, history_dir, cancel=None):
    """Stands in for core.studies.jobs.run_and_save without any backend: N passes of made-up probabilities."""
    import numpy as np

    from vggcompare.core.analysis.records import Environment, Timings
    from vggcompare.core.analysis.result import RunResult
    from vggcompare.core.passes.engine import Progress
    from vggcompare.core.studies.jobs import _save

    rng = np.random.default_rng(config.seed)
    rows = []
    for i in range(config.passes):
        time.sleep(0.005)
        p = rng.random(10).astype(np.float32) + 1.0
        rows.append(p / p.sum())
        yield Progress("passes", i + 1, config.passes, 0.0, None, f"Pass {i + 1} of {config.passes}")
    labels = [f"class {k}" for k in range(10)]
    result = RunResult(config=config, labels=labels, probabilities=np.stack(rows), augmentation=[], environment=Environment(),
                       timings=Timings(seconds_per_pass=0.005, total_seconds=0.01), name="fake run", created="2026-01-01T00:00:00")
    result.verdict = "made up"
    return _save(result, history_dir)


def delayed(function, args: tuple, kwargs: dict, seconds: float, cancel=None):
    """Wait ``seconds`` (a progress report every 20 ms, each a point to stop at), then do the real job ``function``.

    The reports are SweepProgress, which every view reads (a run's bar, a check's line, a sweep's status).
    """
    import inspect

    from vggcompare.core.studies.sweep.run import SweepProgress

    start = time.monotonic()
    while time.monotonic() - start < seconds:
        time.sleep(0.02)
        yield SweepProgress("loading", 0, 1, 0.0, None, "Waiting in the test…")
    kwargs = dict(kwargs)
    if "cancel" in inspect.signature(function).parameters:
        kwargs["cancel"] = cancel
    outcome = function(*args, **kwargs)
    if inspect.isgenerator(outcome):
        outcome = yield from outcome
    return outcome


def fake_preset(name, config, image, history_dir, cancel=None, hold: bool = False):
    """Stands in for core.studies.jobs.preset_and_save: two progress reports and a made-up outcome with numbers.

    With ``hold`` it waits after the first report until cancelled (a demonstration left mid-run).
    """
    from vggcompare.core.passes.engine import Progress
    from vggcompare.core.studies.presets.base import PresetOutcome
    from vggcompare.core.studies.presets.registry import PRESETS

    preset = PRESETS[name]
    yield Progress("passes", 0, 2, 0.0, None, f"{preset.title}: step 1 of 2")
    while hold and not (cancel and cancel()):
        time.sleep(0.01)
        yield Progress("passes", 0, 2, 0.0, None, f"{preset.title}: step 1 of 2")
    yield Progress("passes", 1, 2, 0.0, None, f"{preset.title}: step 2 of 2")
    return PresetOutcome(name, preset.title, preset.explanation, model="a made-up model",
                         headline=f"Made-up answer of {name}: 3 of 4 runs differed by up to 0.25.",
                         bars=[("first variant", 0.25), ("second variant", 0.125)], bars_label="largest change")


FAKE_NUDGES = {"reference": 0.0, "loader opencv": 1e-3, "precision": 1e-6, "call eager": 0.0, "threads": 1e-8}


def _fake_result(config, cause: str, name: str):
    """A one-pass RunResult of made-up probabilities over ten classes: the reference's nudged by the cause's
    FAKE_NUDGES amount (the top-1 stays), or other numbers altogether (a cause not there: the top-1 changes)."""
    import numpy as np

    from vggcompare.core.analysis.records import Environment, Timings
    from vggcompare.core.analysis.result import RunResult

    p = np.linspace(2.0, 1.0, 10) + np.random.default_rng(0).random(10) * 0.01
    if cause in FAKE_NUDGES:
        p = p + FAKE_NUDGES[cause] * np.random.default_rng(len(cause)).random(10)
    else:
        p = p[::-1].copy()
    p = p.astype(np.float32)
    result = RunResult(config=config, labels=[f"class {k}" for k in range(10)], probabilities=(p / p.sum())[None],
                       augmentation=[], environment=Environment(model="a made-up model"),
                       timings=Timings(seconds_per_pass=0.005, total_seconds=0.01), name=name, created="2026-01-01T00:00:00")
    result.verdict = "made up"
    return result


FAKE_CAUSES = ("loader opencv", "no BGR swap", "training mode", "precision", "call eager", "threads")


_KEPT: dict = {}  # the fake checkup's runs, kept in the engine process under its token, as the real one does


FAKE_ENTERS = {"loader opencv": "conv0 (0.00123 → 0.0456)", "precision": "round-off only (from stem_conv)",
               "call eager": "identical", "threads": "round-off only (from dense)"}  # the core's short forms


def fake_checkup(config, image, token, layers=False, cancel=None, delay: float = 0.02, hold_after: int | None = None):
    """Stands in for core.studies.jobs.checkup_and_keep: one row per made-up cause, each reported as it is "measured".

    The numbers are the fake runs' own (image_numbers of each cause's run against the reference's); the runs stay
    here under ``token``. With ``hold_after`` it stops reporting rows after that many and waits to be cancelled.
    With ``layers`` each measured row says where it "enters" (FAKE_ENTERS, or a BatchNorm layer)."""
    from vggcompare.core.analysis.sweep_stats import image_numbers
    from vggcompare.core.errors import RunCancelled
    from vggcompare.core.studies.checkup import Checkup
    from vggcompare.core.studies.checkup_rows import MEASURED, NOT_APPLICABLE, CauseRow, CheckupProgress, cause_message

    n = len(FAKE_CAUSES)
    yield CheckupProgress("loading", 0, n, 0.0, None, "Preparing the model in the engine…")
    _KEPT.clear()
    runs = _KEPT[token] = {"reference": _fake_result(config, "reference", "checkup: reference")}
    labels = runs["reference"].labels
    rows = []
    for k, cause in enumerate(FAKE_CAUSES, 1):
        if hold_after is not None and k > hold_after:
            while not cancel():
                time.sleep(0.01)
                yield CheckupProgress("checkup", k - 1, n, 0.0, None, cause_message(k, n, cause))
            raise RunCancelled("the checkup was cancelled")
        time.sleep(delay)
        yield CheckupProgress("checkup", k - 1, n, 0.0, None, cause_message(k, n, cause))
        row = CauseRow(cause, "its setting", "Your code does this.", NOT_APPLICABLE,
                       "the model has no such thing" if cause == "no BGR swap" else "")
        if cause != "no BGR swap":
            runs[cause] = _fake_result(config, cause, f"checkup: {cause}")
            num = image_numbers(runs["reference"].probabilities, runs[cause].probabilities)
            row.status, row.largest_change, row.top1_changed = MEASURED, num.largest_change, num.top1_changed
            row.top5_changed, row.top1, row.against_top1 = num.top5_overlap < 5, labels[num.top1_index], labels[num.reference_top1_index]
            row.top5 = [[c.label, float(c.mean)] for c in runs[cause].statistics.top5]
            row.against_top5 = [[c.label, float(c.mean)] for c in runs["reference"].statistics.top5]
            row.seconds = delay
            row.enters_at = FAKE_ENTERS.get(cause, "bn0 (0.611 → 0.993)") if layers else ""
        rows.append(row)
        yield CheckupProgress("checkup", k, n, 0.0, None, cause_message(k, n, cause), row, cause)
    rows.sort(key=lambda r: (r.status != MEASURED, -(r.largest_change or 0.0)))
    return Checkup(image=image.source, model="a made-up model", reference=config.to_dict(), reference_top1=labels[0],
                   rows=rows, passes_run=len(runs), seconds=0.1, environment={"cpu": "a made-up CPU"}, runs={})


def fake_pair(config, image, cause, token="", allow_download=False, cancel=None, layers=False):
    """Stands in for core.studies.checkup_pair.run_pair: the kept runs of checkup ``token``, else made again."""
    yield "opening the pair"
    kept = _KEPT.get(token, {})
    if cause in kept:
        return kept["reference"], kept[cause]
    return _fake_result(config, "reference", "checkup: reference"), _fake_result(config, cause, f"checkup: {cause}")


def fake_checkup_held(config, image, token, layers=False, cancel=None):
    """The fake checkup that reports three rows, then waits to be cancelled (a checkup left mid-way)."""
    return (yield from fake_checkup(config, image, token, layers, cancel, hold_after=3))
