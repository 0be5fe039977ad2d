"""The model's state in the background: import TensorFlow, prepare the model, download weights."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThreadPool, Signal
from superqt.utils import FunctionWorker, create_worker

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import RunCancelled, VggCompareError, WeightsUnavailableError
from vggcompare.gui.tf_thread import Task, new_relay, tf_thread
from vggcompare.gui.worker import ensure_pool_threads

LOADING, READY, UNAVAILABLE, WEIGHTS_MISSING = "loading", "ready", "unavailable", "weights-missing"


@dataclass(frozen=True)
class ModelInfo:
    """What a prepared model tells the window: its input size and a description."""

    input_size: tuple[int, int]
    description: str


def model_key(config: ExperimentConfig) -> tuple:
    """The settings that decide which model is prepared; other settings do not need a new check."""
    return (config.model, config.weights, config.labels, config.dropout, config.precision)


def _prepare(config: ExperimentConfig, say) -> ModelInfo:
    """Worker body: start TensorFlow and prepare (build or load) the model, without downloading."""
    from vggcompare.core.model.backend import import_tensorflow, set_threads

    say("Starting TensorFlow…")
    import_tensorflow()
    set_threads(config.threads)  # TensorFlow fixes its thread count on first use: use the chosen one
    from vggcompare.core.model.prepare import prepare_model

    prepared = prepare_model(config, status=say, allow_download=False)
    return ModelInfo(tuple(prepared.input_size), prepared.description)


class ModelChecker(QObject):
    """Prepares the configured model on the TensorFlow thread and reports its state in words."""

    state_changed = Signal(str, str)  # state, one sentence
    model_ready = Signal(object)  # ModelInfo
    _status = Signal(str)  # from the TensorFlow thread, delivered on the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._task: Task | None = None
        self._pending: ExperimentConfig | None = None
        self._checked_key: tuple | None = None
        self._closing = False
        self._relay = new_relay()
        self._relay.returned.connect(self._on_ready)
        self._relay.errored.connect(self._on_error)
        self._relay.finished.connect(self._on_finished)
        self._status.connect(self._on_status)

    @property
    def busy(self) -> bool:
        """True while a check is queued or running."""
        return self._task is not None

    def check(self, config: ExperimentConfig, force: bool = False) -> None:
        """Prepare the model of ``config`` in the background, unless it is the one already ready."""
        if self._closing or (not force and model_key(config) == self._checked_key and self._task is None):
            return
        if self._task is not None:
            self._pending = config
            return
        self._launch(config)

    def forget(self) -> None:
        """Forget the last successful check, so the next check runs again."""
        self._checked_key = None

    def shutdown(self, timeout_s: float = 60.0) -> bool:
        """Stop starting checks and wait for the running one (TensorFlow cannot be interrupted)."""
        self._closing = True
        self._pending = None
        if self._task is None:
            return True
        self._task.stop()  # a check still queued behind a run never starts
        return self._task.wait(timeout_s)

    def _launch(self, config: ExperimentConfig) -> None:
        self._task = Task(self._relay, _prepare, config, self._say)
        self._task.config = config
        self.state_changed.emit(LOADING, "Preparing the model in the background…")
        tf_thread().submit(self._task)

    def _say(self, text: str) -> None:
        """Called on the TensorFlow thread by the core's status messages."""
        if not self._closing:
            self._status.emit(text)

    def _on_status(self, text: str) -> None:
        if not self._closing:
            self.state_changed.emit(LOADING, text)

    def _on_ready(self, task: Task, info: ModelInfo) -> None:
        if self._closing or task is not self._task:
            return
        self._checked_key = model_key(task.config)
        if self._pending is None:
            self.state_changed.emit(READY, f"Model ready: {info.description}.")
            self.model_ready.emit(info)

    def _on_error(self, task: Task, exc: BaseException) -> None:
        if self._closing or task is not self._task:
            return
        self._checked_key = None
        if self._pending is not None:
            return
        config = task.config
        if isinstance(exc, WeightsUnavailableError) and config.model == "vgg19" and not config.weights:
            self.state_changed.emit(WEIGHTS_MISSING, str(exc))
        elif isinstance(exc, VggCompareError):
            self.state_changed.emit(UNAVAILABLE, f"Model unavailable: {exc}")
        else:
            self.state_changed.emit(UNAVAILABLE, f"Model unavailable: {type(exc).__name__}: {exc}")

    def _on_finished(self, task: Task) -> None:
        if task is not self._task:
            return
        self._task = None
        if self._pending is not None and not self._closing:
            config, self._pending = self._pending, None
            self._launch(config)


def _download(progress, stop: threading.Event) -> str:
    from vggcompare.core.model.weights import download_weights

    return str(download_weights(progress=progress, cancel=stop.is_set))


class WeightsDownloader(QObject):
    """Downloads the ImageNet weights in a worker thread, with progress and cancel."""

    progress = Signal(int, int)  # bytes done, bytes total (0 if unknown)
    finished = Signal(bool, str)  # success, path or one-sentence reason ("" when cancelled)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        ensure_pool_threads()
        self._worker: FunctionWorker | None = None
        self._stop = threading.Event()
        self._closed = False  # after shutdown, late reports are ignored

    @property
    def busy(self) -> bool:
        """True while downloading."""
        return self._worker is not None

    def start(self) -> None:
        """Start the download (no-op when one is running)."""
        if self._worker is not None:
            return
        self._stop = threading.Event()
        worker = create_worker(_download, self.progress.emit, self._stop, _start_thread=False, _ignore_errors=True)
        worker.returned.connect(lambda path: None if self._closed else self.finished.emit(True, path))
        worker.errored.connect(self._on_error)
        worker.finished.connect(self._on_done)
        self._worker = worker
        worker.start()

    def cancel(self) -> None:
        """Stop the download at its next block; the partial file is removed by the core."""
        self._stop.set()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel and wait for the download thread."""
        self._closed = True
        self.cancel()
        if self._worker is None:
            return True
        return QThreadPool.globalInstance().waitForDone(timeout_ms)

    def _on_error(self, exc: BaseException) -> None:
        if self._closed:
            return
        self.finished.emit(False, "" if isinstance(exc, RunCancelled) else str(exc))

    def _on_done(self) -> None:
        self._worker = None
