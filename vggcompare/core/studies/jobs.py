"""The window's jobs, as the engine process runs them: each yields progress and returns its outcome.

Every finished run is saved to the history here, in the engine, as soon as its passes are done: this is
the one path that saves a run, so a run survives the window being closed while it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Generator

from vggcompare.core.analysis.compare import RunComparison, compare_results
from vggcompare.core.analysis.result import RunResult
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.input.images import LoadedImage
from vggcompare.core.job_driver import relay
from vggcompare.core.passes.engine import Progress, run_passes
from vggcompare.core.studies.checkup import Checkup, run_checkup
from vggcompare.core.studies.checkup_pair import keep_layer_table, kept_runs
from vggcompare.core.studies.presets.base import PresetOutcome
from vggcompare.core.studies.presets.run import run_preset
from vggcompare.core.storage.history import History


@dataclass(frozen=True)
class ModelInfo:
    """What a prepared model tells the window: its input size and a description."""

    input_size: tuple[int, int]
    description: str
    bfloat16: str = ""  # for a bfloat16 configuration: native or emulated here, measured (core.model.bf16)


@dataclass
class RepeatOutcome:
    """A run, its repeat, and their comparison."""

    original: RunResult
    repeat: RunResult
    comparison: RunComparison
    fresh_process: bool


def _save(result: RunResult, history_dir: str | None) -> RunResult:
    """Save ``result`` to the history (atomically); a failure is kept on the result, not raised."""
    if history_dir is not None:
        try:
            result.history_entry = History(Path(history_dir)).add(result)
        except Exception as exc:  # noqa: BLE001 - reported by the window; the result is still shown
            result.history_entry = exc
    return result


def prepare(config: ExperimentConfig, cancel: Callable[[], bool] | None = None) -> Generator[Progress, None, ModelInfo]:
    """Start the backend and prepare (build or load) the configured model, without downloading."""
    from vggcompare.core.model.backend import EngineSettings, apply_start_settings, import_tensorflow, set_threads
    from vggcompare.core.model.prepare import prepare_model

    yield Progress("loading", 0, 0, 0.0, None, f"Starting the engine ({'JAX' if config.backend == 'jax' else 'TensorFlow'}) in its own process…")
    apply_start_settings(EngineSettings.from_config(config))
    import_tensorflow()
    set_threads(config.threads)
    yield Progress("loading", 0, 0, 0.0, None, "Preparing the model in the engine…")
    prepared = prepare_model(config, allow_download=False, cancel=cancel)
    bf16 = ""
    if config.precision == "bfloat16":
        from vggcompare.core.model.bf16 import assess_bfloat16

        bf16 = assess_bfloat16(config).sentence
    yield Progress("loading", 0, 0, 0.0, None, "Preparing the model's call on one image…")
    _prepare_one_image_call(config, cancel)
    return ModelInfo(tuple(prepared.input_size), prepared.description, bf16)


def _prepare_one_image_call(config: ExperimentConfig, cancel: Callable[[], bool] | None) -> None:
    """Trace (or compile) the call a checkup's reference makes, one image alone, while the window is idle.

    Its first trace is most of a checkup's first row (about 4.5 s for EfficientNet-Lite0 on 2 shared cores);
    made here, the first row follows the model being ready within a second or two, and a one-pass run gains too."""
    import numpy as np

    from vggcompare.core.model.prepare import prepare_model
    from vggcompare.core.passes.engine_steps import start_engine
    from vggcompare.core.studies.checkup_causes import reference_config

    reference = reference_config(config)
    try:
        start_engine(reference)  # its seed too: setting another one later would clear TensorFlow's kernel cache
        prepared = prepare_model(reference, allow_download=False, cancel=cancel)
        prepared.forward(np.zeros((1, *prepared.input_size, 3), np.float32), call=reference.call)
    except Exception:  # noqa: BLE001 - only a head start: the run that needs this call reports any failure itself
        return


def fetch_model_weights(config: ExperimentConfig, cancel: Callable[[], bool] | None = None) -> Generator[Progress, None, str]:
    """Download a built-in keras.applications model's ImageNet weights with Keras' own code; return the file's path."""
    from vggcompare.core.catalog import lookup
    from vggcompare.core.model.applications import build_application, cached_file
    from vggcompare.core.model.backend import EngineSettings, apply_start_settings, import_tensorflow

    entry, _random = lookup(config.model)
    yield Progress("loading", 0, 0, 0.0, None, f"Downloading {entry.weights_file} ({entry.size_text}) with Keras…")
    apply_start_settings(EngineSettings.from_config(config))
    import_tensorflow()
    build_application(entry, False, allow_download=True)  # Keras checks the file's hash
    return str(cached_file(entry))


def run_and_save(
    config: ExperimentConfig, image: LoadedImage | None, history_dir: str | None, cancel: Callable[[], bool] | None = None
) -> Generator[Progress, None, RunResult]:
    """Run N passes and save the result to the history."""
    result = yield from run_passes(config, image, cancel=cancel, allow_download=False)
    return _save(result, history_dir)


def preset_and_save(
    name: str, config: ExperimentConfig, image: LoadedImage | None, history_dir: str | None,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Progress, None, PresetOutcome]:
    """Run a demonstration and save each of its runs to the history."""
    outcome = yield from run_preset(name, config, image, cancel=cancel, allow_download=False)
    for result in outcome.runs.values():
        _save(result, history_dir)
    return outcome


def checkup_and_keep(
    config: ExperimentConfig, image: LoadedImage, token: str, layers: bool = False,
    cancel: Callable[[], bool] | None = None,
) -> Generator[object, None, Checkup]:
    """The window's checkup: each row goes out as it is measured; the runs stay in the engine under ``token``
    (core.studies.checkup_pair.run_pair opens a row's pair from them), so the outcome sent back is the rows.

    ``layers=True`` compares each measured cause layer by layer too: a row goes out with its ``enters_at``, and
    its layer table stays here with the runs (core.studies.checkup_pair.keep_layer_table)."""
    def light(report):
        keep_layer_table(token, getattr(report, "row", None))
        return report

    checkup = run_checkup(config, image, cancel=cancel, allow_download=False, runs=kept_runs(token), layers=layers)
    outcome = yield from relay(checkup, light)
    outcome.runs = {}
    return outcome


def repeat_and_save(
    original: RunResult, fresh_process: bool, history_dir: str | None, cancel: Callable[[], bool] | None = None
) -> Generator[Progress, None, RepeatOutcome]:
    """Re-run ``original``'s exact configuration (here, or in a new Python process), save it and compare."""
    config = original.config
    if fresh_process:
        from vggcompare.core.process.fresh import run_in_fresh_process

        yield Progress("loading", 0, config.passes, 0.0, None, "Running the same configuration in a new Python process…")
        again = run_in_fresh_process(config, cancel=cancel)
    else:
        again = yield from run_passes(config, None, cancel=cancel, allow_download=False)
    again.name = f"repeat{' (fresh process)' if fresh_process else ''} of {original.name}"
    _save(again, history_dir)
    b_name = "the repeat in a fresh process" if fresh_process else "the repeat"
    return RepeatOutcome(original, again, compare_results(original, again, "the original", b_name), fresh_process)
