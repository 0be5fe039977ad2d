"""Runs presenter mode's demonstrations through the window's own path (``start_preset``, a session job handle).

One demonstration runs at a time: starting another, or leaving presenter mode, cancels the one going
through its own handle. Outcomes are kept for Back. The numbers are the core's; nothing is computed here.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from vggcompare.gui.common.dialogs import error_sentence


class DemoRuns(QObject):
    """The demonstrations presenter mode ran: outcome, failure or progress line per name."""

    changed = Signal(str)  # the demonstration whose outcome, failure or progress changed

    def __init__(self, start, parent: QObject | None = None) -> None:
        """``start(name)`` submits the demonstration and returns (job handle or None, why it did not start)."""
        super().__init__(parent)
        self._start = start
        self.outcomes: dict[str, object] = {}  # name -> PresetOutcome
        self.failures: dict[str, str] = {}  # name -> one sentence
        self.progress: dict[str, str] = {}  # name -> the last progress line
        self.handle = None
        self.running: str | None = None

    def state(self, name: str) -> str:
        """'done', 'failed', 'running' or 'idle'."""
        if name in self.outcomes:
            return "done"
        if name in self.failures:
            return "failed"
        return "running" if self.running == name else "idle"

    def ensure(self, name: str) -> None:
        """Start ``name`` unless it has an outcome or is going; a different demonstration going is cancelled."""
        if self.state(name) in ("done", "running"):
            return
        self.cancel()
        self.failures.pop(name, None)
        self.progress[name] = "Starting…"
        handle, problem = self._start(name)
        if handle is None:
            self.failures[name] = f"It could not start: {problem}" if problem else "It could not start."
            self.changed.emit(name)
            return
        self.handle, self.running = handle, name
        handle.progress.connect(lambda report: self._progress(handle, name, report))
        handle.succeeded.connect(lambda outcome: self._ended(handle, name, outcome=outcome))
        handle.failed.connect(lambda exc, _details: self._ended(handle, name, failure=error_sentence(exc)))
        handle.cancelled.connect(lambda: self._ended(handle, name))
        self.changed.emit(name)

    def cancel(self) -> None:
        """Cancel the demonstration going, if any (through its own handle); it keeps no half state."""
        handle, name = self.handle, self.running
        self.handle, self.running = None, None
        if handle is not None and handle.live:
            handle.cancel()
        if name is not None:
            self.progress.pop(name, None)
            self.changed.emit(name)

    def clear(self) -> None:
        """Forget every outcome (entering presenter mode again runs the demonstrations again)."""
        self.cancel()
        self.outcomes.clear()
        self.failures.clear()
        self.progress.clear()

    def _progress(self, handle, name: str, report) -> None:
        if handle is self.handle:
            self.progress[name] = str(getattr(report, "message", "") or "Running…")
            self.changed.emit(name)

    def _ended(self, handle, name: str, outcome=None, failure: str | None = None) -> None:
        if handle is not self.handle:
            return  # a demonstration this object cancelled: it is forgotten
        self.handle, self.running = None, None
        self.progress.pop(name, None)
        if outcome is not None:
            self.outcomes[name] = outcome
        elif failure is not None:
            self.failures[name] = failure
        self.changed.emit(name)
