"""Runs off the GUI thread: one run at a time, cancellable, with clean shutdown.

The run itself is the core's ``run_passes`` generator, driven on the TensorFlow thread; its every
``yield`` is a progress report and a cancellation point. Only the GUI thread touches widgets:
results come back as signals.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import RunCancelled
from vggcompare.core.input.images import LoadedImage
from vggcompare.gui.tf_thread import Task, new_relay, tf_thread

MIN_POOL_THREADS = 4  # the weights download uses Qt's pool; 2-core machines default to 2 threads


def ensure_pool_threads() -> None:
    """Let Qt's global thread pool run a download even while other pool work is going."""
    pool = QThreadPool.globalInstance()
    pool.setMaxThreadCount(max(pool.maxThreadCount(), MIN_POOL_THREADS))


def _run(config: ExperimentConfig, image: LoadedImage | None, task: "RunTask"):
    """The task body: drive the core generator, passing every progress report on."""
    from vggcompare.core.run.engine import run_passes

    result = yield from run_passes(config, image, cancel=task.stopped.is_set, allow_download=False)
    if task.autosave is not None:  # saved here, on the worker, so a finished run survives closing the window
        try:
            result.history_entry = task.autosave(result)
        except Exception as exc:  # noqa: BLE001 - reported by the window, the result is still shown
            result.history_entry = exc
    return result


class RunTask(Task):
    """A run on the TensorFlow thread; it passes its own stop flag to the core as the cancel check.

    ``job`` replaces the plain run: a generator function ``job(config, image, task)`` that yields
    progress and returns its outcome (a demonstration, a repeat and its comparison, ...).
    """

    def __init__(self, relay, config: ExperimentConfig, image: LoadedImage | None, job=None, autosave=None) -> None:
        super().__init__(relay, job or _run, config, image, self)
        self.autosave = autosave


def error_details(exc: BaseException) -> str:
    """The full traceback of ``exc``, for the folded-away details of an error dialog."""
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def wait_for(tasks, timeout_s: float) -> bool:
    """Wait (on the GUI thread) until every task has finished; True if they did in time."""
    deadline = time.monotonic() + timeout_s
    return all(task.wait(max(0.0, deadline - time.monotonic())) for task in list(tasks))


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
        self._task: RunTask | None = None
        self._pending: tuple[ExperimentConfig, LoadedImage | None, Any] | None = None
        self._delivered = False  # the current run's result (or error) has been reported
        self._closed = False  # after shutdown, late reports are ignored
        self.autosave = None  # callable(RunResult) -> history entry, called on the worker after each run
        self._relay = new_relay()
        self._relay.yielded.connect(self._on_progress)
        self._relay.returned.connect(self._on_returned)
        self._relay.errored.connect(self._on_errored)
        self._relay.finished.connect(self._on_finished)

    @property
    def busy(self) -> bool:
        """True while a run is in progress or waiting for the previous one to stop."""
        return self._task is not None or self._pending is not None

    def start(self, config: ExperimentConfig, image: LoadedImage | None = None, job=None) -> None:
        """Start a run (or ``job``); if one is going, cancel it and start this one when it has stopped."""
        if self._task is not None:
            self._pending = (config, image, job)
            self._task.stop()
            return
        self._launch(config, image, job)

    def cancel(self) -> None:
        """Ask the current run to stop at its next chunk; drop any queued run."""
        if self._pending is not None:
            self._pending = None
            if self._task is None:
                self.busy_changed.emit(False)
        if self._task is not None:
            self._task.stop()

    def shutdown(self, timeout_s: float = 60.0) -> bool:
        """Cancel everything and wait until the run has stopped; True if it did in time."""
        self._closed = True
        self._pending = None
        if self._task is None:
            return True
        self._task.stop()
        return wait_for([self._task], timeout_s)

    def _launch(self, config: ExperimentConfig, image: LoadedImage | None, job=None) -> None:
        self._task = RunTask(self._relay, config, image, job, self.autosave)
        self._delivered = False
        self.busy_changed.emit(True)
        self.started.emit(config)
        tf_thread().submit(self._task)

    def _current(self, task: Task) -> bool:
        return not self._closed and task is self._task

    def _on_progress(self, task: Task, report: Any) -> None:
        if self._current(task) and not task.stopped.is_set():
            self.progress.emit(report)

    def _on_returned(self, task: Task, result: Any) -> None:
        if self._current(task) and (not task.stopped.is_set() or task.completed) and self._pending is None:
            self._delivered = True
            self.succeeded.emit(result)

    def _on_errored(self, task: Task, exc: BaseException) -> None:
        if not self._current(task) or self._pending is not None:
            return
        if isinstance(exc, RunCancelled) or task.stopped.is_set():
            return  # reported once, by _on_finished
        self._delivered = True
        self.failed.emit(exc, error_details(exc))

    def _on_finished(self, task: Task) -> None:
        if not self._current(task):
            return
        self._task = None
        if self._pending is not None:
            config, image, job = self._pending
            self._pending = None
            self._launch(config, image, job)
            return
        if task.stopped.is_set() and not self._delivered:
            self.cancelled.emit()
        self.busy_changed.emit(False)
