"""The one job runner of the window: engine jobs one at a time in the engine process, file jobs on threads.

Engine jobs (runs, demonstrations, repeats, model checks) go to the engine process. A new run
replaces the one in progress: that one is cancelled and its late outcome is marked superseded. A
model check never interrupts anything and waits its turn. Cancel is immediate for the window: the
job is reported cancelled at once, the engine stops at its next chunk, and an engine that has not
stopped after ``CANCEL_GRACE_S`` is killed (the next job starts a new one).

File jobs (loading an image, listing the history, downloading weights) run on a short-lived thread
each, so the GUI thread never waits for a disk or the network. Every outcome reaches the GUI thread
as a signal carrying the job's id.
"""

from __future__ import annotations

import inspect
import itertools
import threading
import traceback
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from vggcompare.core.errors import RunCancelled
from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.run.engine_process import CANCELLED, ERROR, PROGRESS, RESULT, EngineDied, Job, Message, is_last_pass
from vggcompare.gui.session.engine_pool import engine_pool

CANCEL_GRACE_S = 8.0
RUN, CHECK = "run", "check"
_ids = itertools.count(1)


@dataclass
class _Pending:
    job_id: int
    job: Job
    settings: EngineSettings
    kind: str


class JobRunner(QObject):
    """Submit, cancel and hear about jobs; ``busy`` covers runs, not model checks or file jobs."""

    progress = Signal(int, object)  # job id, progress report
    succeeded = Signal(int, object)  # job id, outcome
    failed = Signal(int, object, str)  # job id, exception, traceback text
    cancelled = Signal(int)  # job id
    busy_changed = Signal(bool)
    _local_done = Signal(int, str, object, str)  # job id, kind, payload, details (from file-job threads)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = engine_pool()
        self.current: _Pending | None = None
        self.queued: _Pending | None = None
        self.superseded: set[int] = set()  # cancelled or replaced: their late outcomes are not shown
        self.finishing: set[int] = set()  # runs whose passes are all done: a cancel no longer stops them
        self._engine = None
        self._busy = False
        self._closed = False
        self._threads: list[threading.Thread] = []
        self._grace = QTimer(self, singleShot=True, timeout=self._kill_stuck_engine)
        self.pool.relay.message.connect(self._on_message)
        self.pool.relay.died.connect(self._on_died)
        self._local_done.connect(self._on_local_done)

    def listen(self, controller) -> None:
        """Connect a controller's ``_on_progress``, ``_on_succeeded``, ``_on_failed`` and ``_on_cancelled`` (each
        gets the job id first; a controller keeps the ids it submitted and ignores the others)."""
        for name in ("progress", "succeeded", "failed", "cancelled"):
            handler = getattr(controller, f"_on_{name}", None)
            if handler is not None:
                getattr(self, name).connect(handler)

    # ---- engine jobs -----------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True while a run is going or queued (not a model check, not a cancelled run winding down)."""
        return any(p is not None and p.kind == RUN and p.job_id not in self.superseded for p in (self.current, self.queued))

    def submit(self, job: Job, settings: EngineSettings, kind: str = RUN) -> int:
        """Queue a job for the engine; a run replaces a run in progress. Return the job's id."""
        pending = _Pending(next(_ids), job, settings, kind)
        if kind == CHECK and (self.current is not None or self.queued is not None):
            if self.queued is None or self.queued.kind == CHECK:
                self.queued = pending
            return pending.job_id
        if self.queued is not None:
            self.superseded.add(self.queued.job_id)
            self.cancelled.emit(self.queued.job_id)
        self.queued = pending
        current = self.current
        if current is not None and current.kind == RUN and current.job_id not in self.superseded:
            self._abandon(current)
            self.cancelled.emit(current.job_id)
        self._next()
        return pending.job_id

    def cancel(self) -> None:
        """Cancel the queued run and the run in progress (reported cancelled at once)."""
        if self.queued is not None and self.queued.kind == RUN:
            self.superseded.add(self.queued.job_id)
            self.cancelled.emit(self.queued.job_id)
            self.queued = None
        current = self.current
        if current is not None and current.kind == RUN and current.job_id not in self.superseded | self.finishing:
            self._abandon(current)
            self.cancelled.emit(current.job_id)
        self._update_busy()

    def _abandon(self, pending: _Pending) -> None:
        self.superseded.add(pending.job_id)
        if self._engine is not None:
            self._engine.cancel(pending.job_id)
            self._grace.start(int(CANCEL_GRACE_S * 1000))

    def _next(self) -> None:
        if self.current is None and self.queued is not None and not self._closed:
            self.current, self.queued = self.queued, None
            try:
                self._engine = self.pool.submit(self.current.job_id, self.current.job, self.current.settings)
            except Exception as exc:  # noqa: BLE001 - the engine could not start: one sentence
                pending, self.current = self.current, None
                self.failed.emit(pending.job_id, exc, traceback.format_exc())
        self._update_busy()

    def _on_message(self, engine, message: Message) -> None:
        if self.current is None or engine is not self._engine or message.job_id != self.current.job_id:
            return
        job_id = message.job_id
        if message.kind == PROGRESS:
            if self.current.job.keep_when_done and is_last_pass(message.payload):
                self.finishing.add(job_id)
            if job_id not in self.superseded:
                self.progress.emit(job_id, message.payload)
            return
        self.current = None
        self._grace.stop()
        if message.kind == RESULT:
            self.succeeded.emit(job_id, message.payload)
        elif message.kind == ERROR and job_id not in self.superseded:
            self.failed.emit(job_id, message.payload, message.details)
        elif message.kind == CANCELLED and job_id not in self.superseded:
            self.cancelled.emit(job_id)
        self._next()

    def _on_died(self, engine, sentence: str) -> None:
        if engine is not self._engine:
            return
        self.pool.forget(engine)
        self._engine = None
        if self.current is not None:
            job_id, self.current = self.current.job_id, None
            self._grace.stop()
            if job_id not in self.superseded:
                self.failed.emit(job_id, EngineDied(sentence), "")
        self._next()

    def _kill_stuck_engine(self) -> None:
        if self._engine is not None and self.current is not None and self.current.job_id in self.superseded:
            self.pool.forget(self._engine)  # its reader reports the death, which frees the queue

    def _update_busy(self) -> None:
        busy = self.busy
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    # ---- file jobs -------------------------------------------------------------------------
    def run_local(self, func, *args, **kwargs) -> tuple[int, threading.Event]:
        """Run ``func(*args, **kwargs)`` on a thread; ``progress``/``cancel`` parameters are supplied.

        Returns the job id and the event that cancels it.
        """
        job_id = next(_ids)
        stop = threading.Event()
        params = inspect.signature(func).parameters
        if "cancel" in params:
            kwargs["cancel"] = stop.is_set
        if "progress" in params:
            kwargs["progress"] = lambda *report: self._local_done.emit(job_id, PROGRESS, report, "")

        def body() -> None:
            try:
                outcome = func(*args, **kwargs)
            except RunCancelled:
                self._local_done.emit(job_id, CANCELLED, None, "")
            except BaseException as exc:  # noqa: BLE001 - reported on the GUI thread
                self._local_done.emit(job_id, ERROR, exc, traceback.format_exc())
            else:
                self._local_done.emit(job_id, RESULT, outcome, "")

        thread = threading.Thread(target=body, name="vggcompare-file-job", daemon=False)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job_id, stop

    def _on_local_done(self, job_id: int, kind: str, payload, details: str) -> None:
        if self._closed:
            return
        if kind == ERROR:
            self.failed.emit(job_id, payload, details)
        elif kind == CANCELLED:
            self.cancelled.emit(job_id)
        else:
            (self.progress if kind == PROGRESS else self.succeeded).emit(job_id, payload)

    # ---- closing ---------------------------------------------------------------------------
    def shutdown(self, timeout_s: float = 30.0) -> None:
        """Cancel everything, wait for file jobs, and stop listening (the engine pool outlives the window)."""
        self._closed = True
        self.queued = None
        if self.current is not None and self._engine is not None:
            self.superseded.add(self.current.job_id)
            self._engine.cancel(self.current.job_id)
        self._grace.stop()
        for thread in self._threads:
            thread.join(timeout=timeout_s)
        self.pool.relay.message.disconnect(self._on_message)
        self.pool.relay.died.disconnect(self._on_died)
