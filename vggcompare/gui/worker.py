"""Runs in a worker thread: one run at a time, cancellable, with clean shutdown.

The run itself is the core's ``run_passes`` generator; superqt turns it into a worker whose every
``yield`` reports progress. Only the GUI thread touches widgets: results come back as signals.
"""

from __future__ import annotations

import threading
import traceback
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal
from superqt.utils import GeneratorWorker, create_worker

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import RunCancelled
from vggcompare.core.images import LoadedImage

MIN_POOL_THREADS = 4  # a run, a model check and a download may overlap; 2-core machines default to 2


def ensure_pool_threads() -> None:
    """Let the global thread pool hold a run, a model check and a download at once."""
    pool = QThreadPool.globalInstance()
    pool.setMaxThreadCount(max(pool.maxThreadCount(), MIN_POOL_THREADS))


def _run(config: ExperimentConfig, image: LoadedImage | None, stop: threading.Event):
    """The worker body: drive the core generator, passing every progress report on."""
    from vggcompare.core.engine import run_passes

    result = yield from run_passes(config, image, cancel=stop.is_set, allow_download=False)
    return result


def error_details(exc: BaseException) -> str:
    """The full traceback of ``exc``, for the folded-away details of an error dialog."""
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


class RunController(QObject):
    """Starts, cancels and reports runs; a new run first cancels the one in progress."""

    started = Signal(object)  # ExperimentConfig
    progress = Signal(object)  # core Progress
    succeeded = Signal(object)  # RunResult
    failed = Signal(object, str)  # exception, traceback text
    cancelled = Signal()
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        ensure_pool_threads()
        self._worker: GeneratorWorker | None = None
        self._stop: threading.Event | None = None
        self._pending: tuple[ExperimentConfig, LoadedImage | None] | None = None
        self._live: set[GeneratorWorker] = set()
        self._delivered = False  # the current run's result (or error) has been reported
        self._closed = False  # after shutdown, late signals from finished workers are ignored

    @property
    def busy(self) -> bool:
        """True while a run is in progress or waiting for the previous one to stop."""
        return self._worker is not None or self._pending is not None

    def start(self, config: ExperimentConfig, image: LoadedImage | None = None) -> None:
        """Start a run; if one is going, cancel it and start this one when it has stopped."""
        if self._worker is not None:
            self._pending = (config, image)
            self._request_stop()
            return
        self._launch(config, image)

    def cancel(self) -> None:
        """Ask the current run to stop at its next chunk; drop any queued run."""
        if self._pending is not None:
            self._pending = None
            if self._worker is None:
                self.busy_changed.emit(False)
        self._request_stop()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel everything and wait for the worker threads to end; True if they did."""
        self._closed = True
        self._pending = None
        self._request_stop()
        if not self._live:
            return True
        return QThreadPool.globalInstance().waitForDone(timeout_ms)

    def _request_stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self._worker is not None:
            self._worker.quit()

    def _launch(self, config: ExperimentConfig, image: LoadedImage | None) -> None:
        stop = threading.Event()
        worker = create_worker(_run, config, image, stop, _start_thread=False, _ignore_errors=True)
        worker.yielded.connect(lambda p, w=worker: self._on_progress(w, p))
        worker.returned.connect(lambda r, w=worker: self._on_returned(w, r))
        worker.errored.connect(lambda e, w=worker: self._on_errored(w, e))
        worker.finished.connect(lambda w=worker: self._on_finished(w))
        self._worker, self._stop = worker, stop
        self._delivered = False
        self._live.add(worker)
        self.busy_changed.emit(True)
        self.started.emit(config)
        worker.start()

    def _on_progress(self, worker: GeneratorWorker, report: Any) -> None:
        if self._closed:
            return
        if worker is self._worker and not worker.abort_requested:
            self.progress.emit(report)

    def _on_returned(self, worker: GeneratorWorker, result: Any) -> None:
        if self._closed:
            return
        if worker is self._worker and not worker.abort_requested and self._pending is None:
            self._delivered = True
            self.succeeded.emit(result)

    def _on_errored(self, worker: GeneratorWorker, exc: BaseException) -> None:
        if self._closed or worker is not self._worker or self._pending is not None:
            return
        if isinstance(exc, RunCancelled) or worker.abort_requested:
            return  # reported once, by _on_finished
        self._delivered = True
        self.failed.emit(exc, error_details(exc))

    def _on_finished(self, worker: GeneratorWorker) -> None:
        self._live.discard(worker)
        if self._closed or worker is not self._worker:
            return
        was_stopped = worker.abort_requested or (self._stop is not None and self._stop.is_set())
        self._worker, self._stop = None, None
        if self._pending is not None:
            config, image = self._pending
            self._pending = None
            self._launch(config, image)
            return
        if was_stopped and not self._delivered:
            self.cancelled.emit()
        self.busy_changed.emit(False)
