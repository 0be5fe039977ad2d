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

    from vggcompare.core.studies.sweep import SweepProgress

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
    from vggcompare.core.studies.presets import PRESETS, PresetOutcome

    preset = PRESETS[name]
    yield Progress("passes", 0, 2, 0.0, None, f"{preset.title}: step 1 of 2")
    while hold and not (cancel and cancel()):
        time.sleep(0.01)
        yield Progress("passes", 0, 2, 0.0, None, f"{preset.title}: step 1 of 2")
    yield Progress("passes", 1, 2, 0.0, None, f"{preset.title}: step 2 of 2")
    return PresetOutcome(name, preset.title, preset.explanation, model="a made-up model",
                         headline=f"Made-up answer of {name}: 3 of 4 runs differed by up to 0.25.",
                         bars=[("first variant", 0.25), ("second variant", 0.125)], bars_label="largest change")
