"""The engine in its own process: the backend (TensorFlow or JAX) never shares a GIL with the window.

An :class:`EngineProcess` is a child Python process (``multiprocessing`` with *spawn*) started with
:class:`~vggcompare.core.model.backend.EngineSettings`, the settings that must precede the backend's
start. It runs one :class:`Job` at a time: a module-level generator function, which crosses the pipe
by its name ``"package.module:function"``. Every ``yield`` travels back as a progress :class:`Message`, and the
return value as the result. A job whose function takes a ``cancel`` argument gets a callable that
turns True once :meth:`EngineProcess.cancel` is called; the engine also stops a job at its next
``yield`` after a cancel. The model cache lives in the child, so a warm engine runs the next job at
once. Messages travel through a pipe between two processes of this program (our own objects, never a
user's file).
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import sys
import threading
from contextlib import contextmanager

from vggcompare.core.errors import VggCompareError
from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.process.engine_job import (
    CANCELLED, ERROR, PROGRESS, RESULT, Job, Message, _serve, is_last_pass, portable, run_job,
)

__all__ = ["CANCELLED", "ERROR", "PROGRESS", "RESULT", "EngineDied", "EngineProcess", "Job", "Message", "died_sentence",
           "is_last_pass", "portable", "run_job"]
_CLOSE = object()  # tells the sender thread to stop


class EngineDied(VggCompareError):
    """The engine process stopped without finishing its job (it crashed or was killed)."""


@contextmanager
def _main_module_hidden():
    """Start the child without re-running the parent's ``__main__`` (spawn would import the script again).

    The engine needs nothing from the program that started it, and a script without an
    ``if __name__ == "__main__"`` guard (or one read from standard input) must not run twice.
    """
    main = sys.modules.get("__main__")
    saved = {k: getattr(main, k) for k in ("__file__", "__spec__") if main is not None and hasattr(main, k)}
    try:
        for key in saved:
            setattr(main, key, None)
        yield
    finally:
        for key, value in saved.items():
            setattr(main, key, value)


class EngineProcess:
    """One engine child process with fixed start settings; run jobs on it one at a time."""

    def __init__(self, settings: EngineSettings) -> None:
        ctx = mp.get_context("spawn")
        self.settings = settings
        self._conn, child = ctx.Pipe(duplex=True)
        self._cancelled_up_to = ctx.Value("q", 0, lock=False)  # every job with an id up to this is cancelled
        self._last_job = 0
        self._process = ctx.Process(target=_serve, args=(child, self._cancelled_up_to, settings), name="vggcompare-engine", daemon=True)
        with _main_module_hidden():
            self._process.start()
        child.close()
        self._outbox: queue.Queue = queue.Queue()
        self._sender = threading.Thread(target=self._send_loop, name="vggcompare-engine-sender", daemon=True)
        self._sender.start()

    @property
    def pid(self) -> int | None:
        """The child's process id."""
        return self._process.pid

    @property
    def alive(self) -> bool:
        """True while the child process runs."""
        return self._process.is_alive()

    @property
    def exitcode(self) -> int | None:
        """The child's exit code once it stopped (negative: killed by that signal)."""
        return self._process.exitcode

    def submit(self, job_id: int, job: Job) -> None:
        """Queue a job (ids must increase); the engine starts it when the previous one has finished.

        The job is pickled and written to the pipe by a sender thread: a pipe write waits until the engine
        reads, and the engine reads only between jobs, so the caller (the GUI thread) must never write itself.
        """
        if not self._process.is_alive():
            raise EngineDied(died_sentence(self._process.exitcode))
        self._last_job = job_id
        self._outbox.put((job_id, job))

    def _send_loop(self) -> None:
        while True:
            item = self._outbox.get()
            if item is _CLOSE:
                return
            try:
                self._conn.send(item)
            except (BrokenPipeError, OSError):
                return  # the engine is gone; its reader reports that
            if item is None:
                return

    def cancel(self, job_id: int | None = None) -> None:
        """Cancel job ``job_id`` and every earlier one (default: all jobs sent so far)."""
        self._cancelled_up_to.value = max(self._cancelled_up_to.value, job_id if job_id is not None else self._last_job)

    def receive(self) -> Message:
        """Wait for the engine's next message; raise EngineDied if the process stopped."""
        try:
            return self._conn.recv()
        except (EOFError, OSError):
            self._process.join(timeout=5)
            raise EngineDied(died_sentence(self._process.exitcode)) from None

    def stop(self, timeout_s: float = 10.0) -> None:
        """Cancel every job, ask the engine to exit, and kill it if it has not within ``timeout_s``."""
        self.cancel()
        self._outbox.put(None)  # after the jobs already queued
        self._process.join(timeout_s)
        if self._process.is_alive():
            self.kill()

    def kill(self) -> None:
        """Stop the engine at once (SIGKILL)."""
        self._outbox.put(_CLOSE)
        if self._process.is_alive():
            self._process.kill()
        self._process.join(10)
        self._conn.close()


def died_sentence(exitcode: int | None) -> str:
    """One sentence for an engine that stopped without finishing its job."""
    if exitcode is not None and exitcode < 0:
        import signal

        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        how = f"was killed ({name})"
    elif exitcode is None:
        how = "stopped answering"
    else:
        how = f"exited with code {exitcode}"
    return f"The engine process {how} before the job finished; the next run starts a new engine."
