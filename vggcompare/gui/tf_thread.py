"""One long-lived Python thread that runs every TensorFlow task of the window, one after another.

Why not a thread pool: a pool thread gets a fresh Python thread state for every job, and
TensorFlow's pybind11 bindings keep a per-thread pointer to the thread state they first saw.
When a pool thread that imported TensorFlow later ran a second job, that stale pointer crashed
the process (seen with PySide6 6.12 and TensorFlow 2.21). A plain Python thread keeps a single
thread state for its whole life, so the model check and the runs all use TensorFlow from it.
"""

from __future__ import annotations

import inspect
import queue
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

_lock = threading.Lock()
_thread: "TaskThread | None" = None
_relays: list["TaskRelay"] = []  # kept for the life of the process: the TensorFlow thread may still emit on them


class TaskRelay(QObject):
    """Carries tasks' reports from the TensorFlow thread to the GUI thread; each signal names its task."""

    yielded = Signal(object, object)  # task, progress report
    returned = Signal(object, object)  # task, return value
    errored = Signal(object, object)  # task, exception
    finished = Signal(object)  # task


def new_relay() -> TaskRelay:
    """A relay created on the GUI thread, never deleted, so a late report cannot reach a deleted object."""
    relay = TaskRelay()
    _relays.append(relay)
    return relay


class Task:
    """A function (or generator function, whose yields are progress) to run on the TensorFlow thread.

    ``stop()`` asks a generator task to end at its next yield; a stopped task never reports ``returned``.
    """

    def __init__(self, relay: TaskRelay, fn: Callable[..., Any], *args: Any) -> None:
        self.relay, self.fn, self.args = relay, fn, args
        self.stopped = threading.Event()
        self.done = threading.Event()
        self.completed = False  # the generator ran to its end (even if a stop came after its last pass)

    def stop(self) -> None:
        """Ask the task to stop at its next report (or not to start, if it is still queued)."""
        self.stopped.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the task has finished; True if it did within ``timeout`` seconds."""
        return self.done.wait(timeout)

    def execute(self) -> None:
        """Run on the TensorFlow thread: call the function, pass on its yields, report the end."""
        relay = self.relay
        try:
            if self.stopped.is_set():
                return
            result = self.fn(*self.args)
            if inspect.isgenerator(result):
                result = self._drive(result)
            if not self.stopped.is_set() or self.completed:
                relay.returned.emit(self, result)
        except Exception as exc:  # noqa: BLE001 - every error is reported to the GUI thread
            relay.errored.emit(self, exc)
        finally:
            relay.finished.emit(self)

    def _drive(self, gen) -> Any:
        """Pass on each report; stop at the next one when asked, unless every pass is already done
        (then only the statistics remain, and the finished result is worth keeping)."""
        all_passes_done = False
        try:
            while True:
                if self.stopped.is_set() and not all_passes_done:
                    return None
                try:
                    report = next(gen)
                except StopIteration as end:
                    self.completed = all_passes_done or not self.stopped.is_set()
                    return end.value
                all_passes_done = getattr(report, "stage", "") == "passes" and report.done >= report.total > 0
                self.relay.yielded.emit(self, report)
        finally:
            gen.close()


class TaskThread:
    """A queue of tasks and the one daemon thread that runs them in order."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Task] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="vggcompare-tensorflow", daemon=True)
        self._thread.start()

    def submit(self, task: Task) -> Task:
        """Queue ``task``; it runs after the tasks queued before it."""
        self._queue.put(task)
        return task

    def idle(self) -> bool:
        """True when no task is queued or running."""
        return self._queue.unfinished_tasks == 0

    def _loop(self) -> None:
        while True:
            task = self._queue.get()
            try:
                task.execute()
            finally:
                self._queue.task_done()
                task.done.set()  # last, so a waiter that wakes up sees the thread idle


def tf_thread() -> TaskThread:
    """The process's TensorFlow thread, started on first use."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = TaskThread()
        return _thread
