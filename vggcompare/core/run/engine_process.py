"""The engine in its own process: the backend (TensorFlow or JAX) never shares a GIL with the window.

An :class:`EngineProcess` is a child Python process (``multiprocessing`` with *spawn*) started with
:class:`~vggcompare.core.model.backend.EngineSettings`, the settings that must precede the backend's
start. It runs one :class:`Job` at a time: a module-level generator function named
``"package.module:function"``. Every ``yield`` travels back as a progress :class:`Message`, and the
return value as the result. A job whose function takes a ``cancel`` argument gets a callable that
turns True once :meth:`EngineProcess.cancel` is called; the engine also stops a job at its next
``yield`` after a cancel. The model cache lives in the child, so a warm engine runs the next job at
once. Messages travel through a pipe between two processes of this program (our own objects, never a
user's file).
"""

from __future__ import annotations

import importlib
import inspect
import multiprocessing as mp
import pickle
import sys
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from vggcompare.core.errors import RunCancelled, VggCompareError
from vggcompare.core.model.backend import EngineSettings

PROGRESS, RESULT, ERROR, CANCELLED = "progress", "result", "error", "cancelled"


@dataclass(frozen=True)
class Job:
    """A generator function to run in the engine: ``target`` is ``"package.module:function"``."""

    target: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    keep_when_done: bool = False  # once it reports its last pass, a cancel no longer stops it (the run is kept)


def is_last_pass(report: Any) -> bool:
    """True for the progress report that says every pass of a run is done."""
    return getattr(report, "stage", None) == "passes" and getattr(report, "total", 0) > 0 and report.done == report.total


@dataclass(frozen=True)
class Message:
    """What the engine says about a job: ``kind`` is progress, result, error or cancelled."""

    kind: str
    job_id: int
    payload: Any = None
    details: str = ""  # the traceback, for an error


class EngineDied(VggCompareError):
    """The engine process stopped without finishing its job (it crashed or was killed)."""


def resolve(target: str):
    """The function named ``"package.module:function"``."""
    module, _, name = target.partition(":")
    if not module or not name:
        raise ValueError(f"a job target is 'module:function', not {target!r}")
    return getattr(importlib.import_module(module), name)


def run_job(job: Job, cancel, send) -> None:
    """Run ``job`` here, calling ``send(kind, payload, details)`` for each progress report and the outcome."""
    try:
        func = resolve(job.target)
        kwargs = dict(job.kwargs)
        if "cancel" in inspect.signature(func).parameters:
            kwargs["cancel"] = cancel
        outcome = func(*job.args, **kwargs)
        if inspect.isgenerator(outcome):
            gen = outcome
            committed = False
            while True:
                if cancel() and not committed:
                    gen.close()
                    send(CANCELLED, None, "")
                    return
                try:
                    item = next(gen)
                except StopIteration as stop:
                    outcome = stop.value
                    break
                send(PROGRESS, item, "")
                committed = committed or (job.keep_when_done and is_last_pass(item))
        send(RESULT, outcome, "")
    except RunCancelled:
        send(CANCELLED, None, "")
    except BaseException as exc:  # noqa: BLE001 - every failure becomes one message; the engine lives on
        send(ERROR, portable(exc), "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))


def portable(exc: BaseException) -> BaseException:
    """``exc`` itself if it survives pickling, else a VggCompareError carrying its sentence."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - any pickling failure
        return VggCompareError(f"{type(exc).__name__}: {exc}")


def _serve(conn, cancelled_up_to, settings: EngineSettings) -> None:
    """The child's main loop: apply the start settings, then run jobs until told to stop."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from vggcompare.core.model.backend import apply_start_settings

    apply_start_settings(settings)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        job_id, job = request

        def send(kind: str, payload: Any, details: str, job_id: int = job_id) -> None:
            try:
                conn.send(Message(kind, job_id, payload, details))
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                conn.send(Message(ERROR, job_id, VggCompareError(f"the engine could not send its {kind}: {exc}"), ""))

        try:
            run_job(job, lambda job_id=job_id: cancelled_up_to.value >= job_id, send)
        except (BrokenPipeError, EOFError, OSError):
            return  # the window went away


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
        """Send a job (ids must increase); the engine starts it when the previous one has finished."""
        self._last_job = job_id
        try:
            self._conn.send((job_id, job))
        except (BrokenPipeError, OSError) as exc:
            raise EngineDied(f"the engine process is gone ({exc.strerror or exc})") from None

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
        try:
            self._conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self._process.join(timeout_s)
        if self._process.is_alive():
            self.kill()

    def kill(self) -> None:
        """Stop the engine at once (SIGKILL)."""
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
