"""The model's state for the window: prepared in the engine ahead of the first run, and the weights download."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import VggCompareError, WeightsUnavailableError
from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.process.engine_process import Job
from vggcompare.core.catalog import lookup
from vggcompare.gui.session.job_handle import JobHandle
from vggcompare.gui.session.job_runner import CHECK, RUN, JobRunner

LOADING, READY, UNAVAILABLE, WEIGHTS_MISSING = "loading", "ready", "unavailable", "weights-missing"


def model_key(config: ExperimentConfig) -> tuple:
    """The settings that decide which model is prepared; other settings do not need a new check."""
    return (config.model, config.weights, config.labels, config.dropout, config.precision, EngineSettings.from_config(config))


def sentence(exc: BaseException) -> str:
    """One sentence for an error: the user error's own words, else its type and message."""
    return str(exc) if isinstance(exc, VggCompareError) else f"{type(exc).__name__}: {exc}"


def download_weights(progress=None, cancel=None) -> str:
    """Download the ImageNet weights (a file job: no backend needed); return the file's path."""
    from vggcompare.core.model import weights

    return str(weights.download_weights(progress=progress, cancel=cancel))


def wants_keras_download(config: ExperimentConfig) -> bool:
    """True for a built-in keras.applications model with ImageNet weights (not VGG19, EfficientNet-Lite0 or random)."""
    found = lookup(config.model)
    return bool(found) and not found[1] and not found[0].offline and config.model != "vgg19"


class ModelSession(QObject):
    """Prepares the configured model in the engine and reports its state in one sentence."""

    state_changed = Signal(str, str)  # state, one sentence
    model_ready = Signal(object)  # core.studies.jobs.ModelInfo
    download_progress = Signal(int, int)  # bytes done, bytes total (0 if unknown)
    download_finished = Signal(bool, str)  # success, path or one-sentence reason ("" when cancelled)

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._latest: JobHandle | None = None  # the newest check: only its outcome is shown
        self._ready_key: tuple | None = None
        self._download: JobHandle | None = None
        self.missing_model: str | None = None  # the model whose ImageNet weights were found missing last
        self._closed = False

    @property
    def ready_model(self) -> tuple[str, str | None] | None:
        """(model, weights file) of the model prepared last, or None."""
        return self._ready_key[:2] if self._ready_key else None

    @property
    def downloading(self) -> bool:
        """True while the weights download runs."""
        return self._download is not None

    def check(self, config: ExperimentConfig, force: bool = False) -> None:
        """Prepare ``config``'s model in the engine, unless it is the one already prepared."""
        if self._closed or (not force and model_key(config) == self._ready_key):
            return
        from vggcompare.core.studies import jobs  # (the engine's modules load when the first job is submitted)

        handle = self.runner.submit(Job(jobs.prepare, (config,)), EngineSettings.from_config(config), CHECK)
        self._latest = handle
        latest = lambda: handle is self._latest and not self._closed  # noqa: E731 - an older check's outcome is not shown
        handle.progress.connect(lambda report: self.state_changed.emit(LOADING, report.message) if latest() else None)
        handle.succeeded.connect(lambda info: self._on_ready(config, info) if latest() else None)
        handle.failed.connect(lambda exc, _details: self._on_unavailable(config, exc) if latest() else None)
        handle.cancelled.connect(lambda: self._on_cancelled() if latest() else None)
        self.state_changed.emit(LOADING, "Preparing the model in the background…")

    def ran(self, description: str) -> None:
        """A run finished with this model, so it is ready."""
        self.state_changed.emit(READY, f"Model ready: {description}.")

    def download(self, config: ExperimentConfig | None = None) -> None:
        """Start the weights download (no-op when one is running): VGG19's here, a keras.applications model's in the engine."""
        if self._download is not None or self._closed:
            return
        if config is not None and wants_keras_download(config):
            from vggcompare.core.studies import jobs

            job = Job(jobs.fetch_model_weights, (config,))
            handle = self._download = self.runner.submit(job, EngineSettings.from_config(config), RUN)
            # (Keras' own download reports no bytes: its bar stays busy)
        else:
            handle = self._download = self.runner.run_local(download_weights)
            handle.progress.connect(lambda report: self.download_progress.emit(*report))
        handle.succeeded.connect(lambda path: self._download_ended(True, str(path)))
        handle.failed.connect(lambda exc, _details: self._download_ended(False, sentence(exc)))
        handle.cancelled.connect(lambda: self._download_ended(False, ""))

    def cancel_download(self) -> None:
        """Stop the download: VGG19's at its next block (the core removes the partial file), Keras' by cancelling its job."""
        if self._download is not None:
            self._download.cancel()

    def shutdown(self) -> None:
        """Stop reporting and cancel the download (its thread is joined by the runner)."""
        self.cancel_download()
        self._closed = True

    def _download_ended(self, ok: bool, text: str) -> None:
        self._download = None
        self.download_finished.emit(ok, text)

    def _on_ready(self, config: ExperimentConfig, info) -> None:
        self._ready_key = model_key(config)
        self.state_changed.emit(READY, f"Model ready: {info.description}.")
        self.model_ready.emit(info)

    def _on_unavailable(self, config: ExperimentConfig, exc: BaseException) -> None:
        self._ready_key = None
        if isinstance(exc, WeightsUnavailableError) and (config.model == "vgg19" or wants_keras_download(config)) and not config.weights:
            self.missing_model = config.model
            self.state_changed.emit(WEIGHTS_MISSING, str(exc))
        else:
            self.state_changed.emit(UNAVAILABLE, f"Model unavailable: {sentence(exc)}")

    def _on_cancelled(self) -> None:
        self.state_changed.emit(UNAVAILABLE, "Model not prepared: its check was cancelled; the next run prepares it.")
