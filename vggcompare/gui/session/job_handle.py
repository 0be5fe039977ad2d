"""A submitted job's own handle: its submitter connects its signals, and it ends exactly once."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

SUCCEEDED, FAILED, CANCELLED = "succeeded", "failed", "cancelled"


class JobHandle(QObject):
    """What ``JobRunner.submit`` and ``JobRunner.run_local`` return.

    Only the submitter connects ``progress``, ``succeeded``, ``failed`` and ``cancelled``; exactly one of
    the last three is emitted, once. ``cancel()`` cancels this job and no other.
    """

    progress = Signal(object)  # a progress report
    succeeded = Signal(object)  # the outcome
    failed = Signal(object, str)  # exception, traceback text
    cancelled = Signal()

    def __init__(self, job_id: int, kind: str, cancel) -> None:
        super().__init__()
        self.id, self.kind = job_id, kind
        self.ended: str | None = None  # SUCCEEDED, FAILED or CANCELLED once it has ended
        self._cancel = cancel

    @property
    def live(self) -> bool:
        """True until the job has ended."""
        return self.ended is None

    def cancel(self) -> bool:
        """Cancel this job (and no other); False when it has ended or can no longer be stopped."""
        return self.live and bool(self._cancel(self))

    def report(self, payload) -> None:
        """Pass a progress report on, while the job is live."""
        if self.live:
            self.progress.emit(payload)

    def end(self, outcome: str, *args) -> None:
        """End the job with ``outcome`` (``args`` are the signal's); later ends are ignored."""
        if not self.live:
            return
        self.ended = outcome
        {SUCCEEDED: self.succeeded, FAILED: self.failed, CANCELLED: self.cancelled}[outcome].emit(*args)
