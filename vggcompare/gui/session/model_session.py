"""The model's state for the window: prepared in the engine ahead of the first run, and the weights download."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import VggCompareError, WeightsUnavailableError
from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.run.engine_process import Job
from vggcompare.gui.session.job_runner import CHECK, JobRunner

LOADING, READY, UNAVAILABLE, WEIGHTS_MISSING = "loading", "ready", "unavailable", "weights-missing"


def model_key(config: ExperimentConfig) -> tuple:
    """The settings that decide which model is prepared; other settings do not need a new check."""
    return (config.model, config.weights, config.labels, config.dropout, config.precision, EngineSettings.from_config(config))


def download_weights(progress=None, cancel=None) -> str:
    """Download the ImageNet weights (a file job: no backend needed); return the file's path."""
    from vggcompare.core.model import weights

    return str(weights.download_weights(progress=progress, cancel=cancel))


class ModelSession(QObject):
    """Prepares the configured model in the engine and reports its state in one sentence."""

    state_changed = Signal(str, str)  # state, one sentence
    model_ready = Signal(object)  # core.run.jobs.ModelInfo
    download_progress = Signal(int, int)  # bytes done, bytes total (0 if unknown)
    download_finished = Signal(bool, str)  # success, path or one-sentence reason ("" when cancelled)

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._checks: dict[int, ExperimentConfig] = {}
        self._latest: int | None = None
        self._ready_key: tuple | None = None
        self._download: tuple[int, threading.Event] | None = None
        self._closed = False
        runner.listen(self)

    @property
    def downloading(self) -> bool:
        """True while the weights download runs."""
        return self._download is not None

    def check(self, config: ExperimentConfig, force: bool = False) -> None:
        """Prepare ``config``'s model in the engine, unless it is the one already prepared."""
        if self._closed or (not force and model_key(config) == self._ready_key):
            return
        job_id = self.runner.submit(Job("vggcompare.core.run.jobs:prepare", (config,)), EngineSettings.from_config(config), CHECK)
        self._checks[job_id] = config
        self._latest = job_id
        self.state_changed.emit(LOADING, "Preparing the model in the background…")

    def ran(self, description: str) -> None:
        """A run finished with this model, so it is ready."""
        self.state_changed.emit(READY, f"Model ready: {description}.")

    def download(self) -> None:
        """Start the weights download (no-op when one is running)."""
        if self._download is None and not self._closed:
            self._download = self.runner.run_local(download_weights)

    def cancel_download(self) -> None:
        """Stop the download at its next block; the core removes the partial file."""
        if self._download is not None:
            self._download[1].set()

    def shutdown(self) -> None:
        """Stop reporting and cancel the download (its thread is joined by the runner)."""
        self._closed = True
        self.cancel_download()

    def _on_progress(self, job_id: int, report) -> None:
        if self._download is not None and job_id == self._download[0]:
            self.download_progress.emit(*report)
        elif job_id == self._latest and not self._closed:
            self.state_changed.emit(LOADING, report.message)

    def _on_succeeded(self, job_id: int, outcome) -> None:
        if self._download is not None and job_id == self._download[0]:
            self._download = None
            self.download_finished.emit(True, outcome)
            return
        config = self._checks.pop(job_id, None)
        if config is None or job_id != self._latest or self._closed:
            return
        self._ready_key = model_key(config)
        self.state_changed.emit(READY, f"Model ready: {outcome.description}.")
        self.model_ready.emit(outcome)

    def _on_failed(self, job_id: int, exc: BaseException, _details: str) -> None:
        if self._download is not None and job_id == self._download[0]:
            self._download = None
            self.download_finished.emit(False, str(exc) if isinstance(exc, VggCompareError) else f"{type(exc).__name__}: {exc}")
            return
        config = self._checks.pop(job_id, None)
        if config is None or job_id != self._latest or self._closed:
            return
        self._ready_key = None
        if isinstance(exc, WeightsUnavailableError) and config.model == "vgg19" and not config.weights:
            self.state_changed.emit(WEIGHTS_MISSING, str(exc))
        elif isinstance(exc, VggCompareError):
            self.state_changed.emit(UNAVAILABLE, f"Model unavailable: {exc}")
        else:
            self.state_changed.emit(UNAVAILABLE, f"Model unavailable: {type(exc).__name__}: {exc}")

    def _on_cancelled(self, job_id: int) -> None:
        if self._download is not None and job_id == self._download[0]:
            self._download = None
            self.download_finished.emit(False, "")
        self._checks.pop(job_id, None)
