"""Running a preset: its experiments in order (some in new Python processes), then its summary.

Every headline and table cell is computed from the runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Generator

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, ImageError
from vggcompare.core.input.images import LoadedImage
from vggcompare.core.job_driver import relay
from vggcompare.core.studies.presets.base import PresetOutcome
from vggcompare.core.studies.presets.registry import PRESETS

if TYPE_CHECKING:  # the engine (and what it imports) loads only when a demonstration runs
    from vggcompare.core.passes.engine import Progress

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
    if preset.prepare is not None:
        preset.prepare()
    steps, skipped = preset.applicable(config, image)
    if not steps:
        from vggcompare.core.studies.presets.base import step_reason

        first = next(reason for reason in map(step_reason, (s.config for s in preset.plan(config, image))) if reason)
        raise ConfigError(f"no step of the demonstration '{preset.title}' applies to this model: {first}")
    outcome = PresetOutcome(preset.name, preset.title, preset.explanation, notes=list(skipped))
    from vggcompare.core.process.fresh import start_all, stop_all

    started = start_all({k: (s.config, s.config.image) for k, s in enumerate(steps) if s.fresh_process}) if preset.fresh_first else {}
    try:
        yield from _run_steps(preset, steps, started, outcome, image, cancel, allow_download)
    finally:
        stop_all(started)
    preset.summarise(outcome)
    if not outcome.model:
        outcome.model = next(iter(outcome.runs.values())).environment.model or ""
    return outcome


def _run_steps(preset, steps, started, outcome, image, cancel, allow_download):
    from vggcompare.core.passes.engine import Progress, run_passes
    from vggcompare.core.process.fresh import FreshRun

    for k, (label, step_cfg, fresh_process, _pair) in enumerate(steps):
        prefix = f"{preset.title}: step {k + 1} of {len(steps)} ({label})"
        if fresh_process:
            yield Progress("passes", k, len(steps), 0.0, None, f"{prefix}: in a new Python process…")
            run = started.get(k) or FreshRun(step_cfg, image_path=step_cfg.image)
            result = run.wait(cancel)
        else:
            gen = run_passes(step_cfg, image, cancel=cancel, allow_download=allow_download,
                             layers="trace" if preset.layers else False)
            try:
                result = yield from relay(gen, lambda p: Progress(p.stage, p.done, p.total, p.elapsed, p.eta, f"{prefix}: {p.message}"))
            except ImageError as exc:
                if not preset.skip_unreadable:
                    raise
                outcome.notes.append(f"'{label}' is not applicable: {exc}")
                continue
        result.name = f"{preset.name}: {label}"
        outcome.runs[label] = result
