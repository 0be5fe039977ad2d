"""The one job runner of the window: engine jobs one at a time in the engine process, file jobs on threads.

``submit`` and ``run_local`` return a :class:`~vggcompare.gui.session.job_handle.JobHandle`: the
submitter connects its signals, and it ends in exactly one of succeeded, failed or cancelled.

What a new engine job does to the others (its kind decides; the queue is first come, first served):

- ``RUN`` (a run, demonstration, repeat, reproduction or a sweep row's rerun) cancels the queued
  runs and the run in progress, unless that run's passes are all done (it then finishes and is saved);
  it waits for a model check or a sweep in progress. The window asks before it lets a run wait for a sweep.
- ``CHECK`` (a model check) never interrupts anything; a newer check cancels a queued older one.
- ``SWEEP`` cancels a queued or running older sweep; it waits for what is in progress.

Cancel is immediate for the window: the handle is cancelled at once, the engine stops at its next
chunk, and an engine that has not stopped after ``CANCEL_GRACE_S`` is killed (the next job starts a new one).
File jobs (loading an image, the history's files, downloads, reports) run on a short-lived thread each.
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
from vggcompare.core.process.engine_process import CANCELLED, ERROR, PROGRESS, RESULT, EngineDied, Job, Message, is_last_pass
from vggcompare.gui.session import job_handle as jh
from vggcompare.gui.session.engine_pool import engine_pool
from vggcompare.gui.session.job_handle import JobHandle

CANCEL_GRACE_S = 8.0
RUN, CHECK, SWEEP, FILE = "run", "check", "sweep", "file"
_ids = itertools.count(1)


@dataclass
class _Pending:
    handle: JobHandle
    job: Job
    settings: EngineSettings
    finishing: bool = False  # its passes are all done: a cancel no longer stops it


class JobRunner(QObject):
    """Submit jobs and get their handles; ``busy`` covers runs, not model checks, sweeps or file jobs."""

    busy_changed = Signal(bool)
    _local_done = Signal(int, str, object, str)  # job id, kind, payload, details (from file-job threads)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = engine_pool()
        self.current: _Pending | None = None  # sent to the engine (its handle may be cancelled already)
        self.queue: list[_Pending] = []
        self._engine = None
        self._busy = False
        self._closed = False
        self._threads: list[threading.Thread] = []
        self._local: dict[int, tuple[JobHandle, threading.Event]] = {}
        self._grace = QTimer(self, singleShot=True, timeout=self._kill_stuck_engine)
        self.pool.relay.message.connect(self._on_message)
        self.pool.relay.died.connect(self._on_died)
        self._local_done.connect(self._on_local_done)

    # ---- engine jobs -----------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True while a run is going or queued (not a check or sweep, not a cancelled run winding down)."""
        return any(p.handle.kind == RUN and p.handle.live for p in self._pending())

    def running(self, kind: str, besides: JobHandle | None = None) -> bool:
        """True while a live job of ``kind`` is going or queued (``besides``, one's own job, not counted)."""
        return any(p.handle.kind == kind and p.handle.live and p.handle is not besides for p in self._pending())

    def _pending(self) -> list[_Pending]:
        return ([self.current] if self.current is not None else []) + self.queue

    def submit(self, job: Job, settings: EngineSettings, kind: str = RUN) -> JobHandle:
        """Queue a job for the engine (see the module's docstring for what it does to the others)."""
        handle = JobHandle(next(_ids), kind, self._cancel)
        if self._closed:
            handle.end(jh.CANCELLED)
            return handle
        for pending in [p for p in self.queue if p.handle.kind == kind]:
            self._cancel(pending.handle)
        current = self.current
        if current is not None and kind in (RUN, SWEEP) and current.handle.kind == kind:
            self._cancel(current.handle)
        self.queue.append(_Pending(handle, job, settings))
        self._next()
        return handle

    def cancel(self, kind: str = RUN) -> None:
        """Cancel every queued and running job of ``kind`` (each is reported cancelled at once)."""
        for pending in self._pending():
            if pending.handle.kind == kind:
                self._cancel(pending.handle)

    def _cancel(self, handle: JobHandle) -> bool:
        queued = [p for p in self.queue if p.handle is handle]
        if queued:
            self.queue.remove(queued[0])
        elif self.current is not None and self.current.handle is handle and handle.live:
            if self.current.finishing:
                return False
            if self._engine is not None:
                self._engine.cancel(handle.id)
                self._grace.start(int(CANCEL_GRACE_S * 1000))
        else:
            return False
        handle.end(jh.CANCELLED)
        self._update_busy()
        return True

    def _next(self) -> None:
        if self.current is None and self.queue and not self._closed:
            self.current = self.queue.pop(0)
            try:
                self._engine = self.pool.submit(self.current.handle.id, self.current.job, self.current.settings)
            except Exception as exc:  # noqa: BLE001 - the engine could not start: one sentence
                pending, self.current = self.current, None
                pending.handle.end(jh.FAILED, exc, traceback.format_exc())
                self._next()
        self._update_busy()

    def _on_message(self, engine, message: Message) -> None:
        current = self.current
        if current is None or engine is not self._engine or message.job_id != current.handle.id:
            return
        if message.kind == PROGRESS:
            if current.job.keep_when_done and is_last_pass(message.payload):
                current.finishing = True
            current.handle.report(message.payload)
            return
        self.current = None
        self._grace.stop()
        if message.kind == RESULT:
            current.handle.end(jh.SUCCEEDED, message.payload)
        elif message.kind == ERROR:
            current.handle.end(jh.FAILED, message.payload, message.details)
        elif message.kind == CANCELLED:
            current.handle.end(jh.CANCELLED)
        self._next()

    def _on_died(self, engine, sentence: str) -> None:
        if engine is not self._engine:
            return
        self.pool.forget(engine)
        self._engine = None
        if self.current is not None:
            current, self.current = self.current, None
            self._grace.stop()
            current.handle.end(jh.FAILED, EngineDied(sentence), "")
        self._next()

    def _kill_stuck_engine(self) -> None:
        if self._engine is not None and self.current is not None and not self.current.handle.live:
            self.pool.forget(self._engine)  # its reader reports the death, which frees the queue

    def _update_busy(self) -> None:
        busy = self.busy
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    # ---- file jobs -------------------------------------------------------------------------
    def run_local(self, func, *args, **kwargs) -> JobHandle:
        """Run ``func(*args, **kwargs)`` on a thread; ``progress``/``cancel`` parameters are supplied.

        The handle's ``cancel()`` sets the flag ``cancel`` reads; the function decides what it then returns.
        """
        stop = threading.Event()
        handle = JobHandle(next(_ids), FILE, lambda _handle: stop.set() or False)
        job_id = handle.id
        if self._closed:  # the window is closing: nothing more starts
            handle.end(jh.CANCELLED)
            return handle
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

        self._local[job_id] = (handle, stop)
        thread = threading.Thread(target=body, name="vggcompare-file-job", daemon=False)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return handle

    def _on_local_done(self, job_id: int, kind: str, payload, details: str) -> None:
        if kind == PROGRESS:
            entry = self._local.get(job_id)
            if entry is not None and not self._closed:
                entry[0].report(payload)
            return
        handle = self._local.pop(job_id, (None, None))[0]
        if handle is None or self._closed:
            return
        if kind == ERROR:
            handle.end(jh.FAILED, payload, details)
        elif kind == CANCELLED:
            handle.end(jh.CANCELLED)
        else:
            handle.end(jh.SUCCEEDED, payload)

    # ---- closing ---------------------------------------------------------------------------
    def shutdown(self, timeout_s: float = 30.0) -> None:
        """Cancel everything, wait for file jobs, and stop listening (the engine pool outlives the window)."""
        self._closed = True
        queued, self.queue = self.queue, []
        for pending in queued:
            pending.handle.end(jh.CANCELLED)
        if self.current is not None and self._engine is not None:
            self._engine.cancel(self.current.handle.id)
            self.current.handle.end(jh.CANCELLED)
        self._grace.stop()
        for _handle, stop in self._local.values():
            stop.set()
        for thread in self._threads:
            thread.join(timeout=timeout_s)
        self.pool.relay.message.disconnect(self._on_message)
        self.pool.relay.died.disconnect(self._on_died)
        self._update_busy()
