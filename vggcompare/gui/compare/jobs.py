"""Job bodies for the TensorFlow thread: demonstrations and repeats. They yield progress and return outcomes."""

from __future__ import annotations

from dataclasses import dataclass

from vggcompare.core.analysis.compare import RunComparison, compare_results
from vggcompare.core.run.engine import Progress, run_passes
from vggcompare.core.run.presets import run_preset
from vggcompare.core.analysis.result import RunResult


@dataclass
class RepeatOutcome:
    """A run, its repeat, and their comparison."""

    original: RunResult
    repeat: RunResult
    comparison: RunComparison
    fresh_process: bool


def preset_job(name: str):
    """A job that runs the demonstration ``name`` with the window's configuration and image."""

    def job(config, image, task):
        return (yield from run_preset(name, config, image, cancel=task.stopped.is_set, allow_download=False))

    return job


def repeat_job(original: RunResult, fresh_process: bool):
    """A job that re-runs ``original``'s exact configuration (here, or in a new Python process) and compares."""

    def job(config, _image, task):
        if fresh_process:
            from vggcompare.core.run.fresh import run_in_fresh_process

            yield Progress("loading", 0, config.passes, 0.0, None, "Running the same configuration in a new Python process…")
            again = run_in_fresh_process(config, cancel=task.stopped.is_set)
        else:
            again = yield from run_passes(config, None, cancel=task.stopped.is_set, allow_download=False)
        again.name = f"repeat{' (fresh process)' if fresh_process else ''} of {original.name}"
        return RepeatOutcome(original, again, compare_results(original, again, "the original", "the repeat"), fresh_process)

    return job
