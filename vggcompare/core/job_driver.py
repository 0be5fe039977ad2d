"""Driving a generator job: the one place that runs a job's generator to its end.

A job (``run_passes``, ``run_checkup``, ``run_preset``, ``run_sweep``, ``reproduce``, …) is a generator
function: each ``yield`` is a progress report and a point where it may be cancelled, and its ``return``
value is the outcome. :func:`drive` runs one to the end for a caller that wants the outcome;
:func:`relay` hands its reports on, changed, from inside another job and gives back the outcome.

Examples
--------
>>> def job():
...     yield 1
...     yield 2
...     return "done"
>>> seen = []
>>> drive(job(), progress=seen.append)
'done'
>>> seen
[1, 2]
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeVar

from vggcompare.core.errors import RunCancelled

Report = TypeVar("Report")
Outcome = TypeVar("Outcome")
Changed = TypeVar("Changed")


class _Returning:
    """Iterates a generator and keeps what it returns in ``value``."""

    def __init__(self, job: Generator[Any, Any, Any]) -> None:
        self.job = job
        self.value: Any = None

    def __iter__(self) -> Iterator[Any]:
        self.value = yield from self.job


def drive(
    job: Generator[Report, Any, Outcome],
    progress: Callable[[Report], Any] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Outcome:
    """Run a generator job to its end and return its return value.

    Parameters
    ----------
    job
        The generator, already created (``run_passes(config, image)``).
    progress
        Called with each report, in the order the job yields them.
    cancel
        Polled before the first report is asked for and after each report is handed to ``progress``;
        when it returns True the job is closed and :class:`RunCancelled` is raised.

    Raises
    ------
    RunCancelled
        When ``cancel`` said so. Whatever the job or ``progress`` raises passes through unchanged.

    The job is closed whenever this returns or raises, so its ``finally`` blocks run at once.
    """
    returning = _Returning(job)
    try:
        if cancel is not None and cancel():
            raise RunCancelled("cancelled before it started")
        for report in returning:
            if progress is not None:
                progress(report)
            if cancel is not None and cancel():
                raise RunCancelled("cancelled")
        return returning.value
    finally:
        job.close()


def relay(
    job: Generator[Report, Any, Outcome], change: Callable[[Report], Changed]
) -> Generator[Changed, None, Outcome]:
    """Yield ``change(report)`` for each report of ``job``; return the job's return value.

    For a job that runs another inside it: ``result = yield from relay(run_passes(...), relabel)``.
    """
    returning = _Returning(job)
    try:
        for report in returning:
            yield change(report)
        return returning.value
    finally:
        job.close()
