"""The engine's side of the pipe: what a job is, the messages it sends back, and the child's main loop.

The parent's side is :mod:`vggcompare.core.process.engine_process`.
"""

from __future__ import annotations

import inspect
import pickle
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from vggcompare.core.errors import RunCancelled, VggCompareError
from vggcompare.core.job_driver import drive
from vggcompare.core.model.backend import EngineSettings

PROGRESS, RESULT, ERROR, CANCELLED = "progress", "result", "error", "cancelled"


@dataclass(frozen=True)
class Job:
    """A function to run in the engine (usually a generator function), with its arguments.

    The function must be defined at a module's top level: it crosses the pipe as its name,
    ``"package.module:function"`` (:attr:`target`), and the engine imports it from there.
    """

    function: Callable[..., Any]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    keep_when_done: bool = False  # once it reports its last pass, a cancel no longer stops it (the run is kept)

    def __post_init__(self) -> None:
        module = sys.modules.get(getattr(self.function, "__module__", None) or "")
        if module is None or getattr(module, self.function.__qualname__, None) is not self.function:
            raise ValueError(f"a job runs a function defined at a module's top level, not {self.function!r}")

    @property
    def target(self) -> str:
        """The function's name as it crosses the pipe: ``"package.module:function"``."""
        return f"{self.function.__module__}:{self.function.__qualname__}"


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


def run_job(job: Job, cancel, send) -> None:
    """Run ``job`` here, calling ``send(kind, payload, details)`` for each progress report and the outcome."""
    try:
        func = job.function
        kwargs = dict(job.kwargs)
        if "cancel" in inspect.signature(func).parameters:
            kwargs["cancel"] = cancel
        outcome = func(*job.args, **kwargs)
        if inspect.isgenerator(outcome):
            committed = False

            def report(item: Any) -> None:
                nonlocal committed
                send(PROGRESS, item, "")
                committed = committed or (job.keep_when_done and is_last_pass(item))

            outcome = drive(outcome, report, cancel=lambda: cancel() and not committed)
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


ENGINE_NICENESS = 10  # added to the engine process's niceness: the GUI thread comes first when both want a core


def _serve(conn, cancelled_up_to, settings: EngineSettings) -> None:
    """The child's main loop: apply the start settings, then run jobs until told to stop."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from vggcompare.core.model.backend import apply_start_settings

    apply_start_settings(settings)
    if hasattr(os, "nice"):  # the passes yield the cores to the window's thread, so it stays responsive on 2 cores
        try:
            os.nice(ENGINE_NICENESS)
        except OSError:
            pass
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
