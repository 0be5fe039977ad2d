"""Run and Cancel, the progress bar ('pass i of N', ETA), and why a run cannot start."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from vggcompare.gui.common.bars import set_bar
from vggcompare.render import theme
from vggcompare.render.numbers import eta_text


class RunPanel(QWidget):
    """The buttons and progress of a run; the window connects the buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run = QPushButton("▶  Run")
        self.run.setToolTip("Send the image through the model N times (Ctrl+R). A run already going is cancelled first.")
        self.run.setFont(theme.scaled_font(self.font(), 1.15, bold=True))
        self.run.setMinimumHeight(34)
        self.run.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.cancel = QPushButton("■  Cancel")
        self.cancel.setToolTip("Stop the run after the current batch of passes (Esc).")
        self.cancel.setMinimumHeight(34)
        self.cancel.setEnabled(False)
        self._active = False  # the bar shows a job in progress
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.bar.setFormat("Ready")
        self.bar.setValue(0)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run, 2)
        buttons.addWidget(self.cancel, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.bar)
        layout.addWidget(self.problem)
        self.refresh_theme()

    def set_problem(self, text: str | None) -> None:
        """Say why Run cannot start (and disable it), or clear the message."""
        self.problem.setText(f"⚠ {text}" if text else "")
        self.problem.setVisible(bool(text))
        self.run.setEnabled(not text)

    def set_busy(self, busy: bool) -> None:
        """Switch between running and idle; idle with no outcome shown says "Ready", never a stale "Starting…"."""
        self.cancel.setEnabled(busy)
        if busy and not self._active:
            self.show_starting()
        elif not busy and self._active:
            self.show_idle("Ready", 0, 1)

    def show_starting(self) -> None:
        """A job was started: an empty bar with words (a busy (0, 0) bar would hide its text)."""
        self._active = True
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setFormat("Starting…")

    def show_progress(self, report) -> None:
        """Show a core Progress report: busy while loading, then 'Pass i of N · about 3 s left' (a checkup: 'Cause k of n: name')."""
        self._active = True
        if report.stage == "checkup":
            set_bar(self.bar, report.done, max(1, report.total))
            self.bar.setFormat(report.message[:1].upper() + report.message[1:])
            return
        if report.stage != "passes":
            self.bar.setRange(0, max(1, report.total))
            self.bar.setValue(0)
            self.bar.setFormat(report.message)
            return
        set_bar(self.bar, report.done, max(1, report.total))
        eta = eta_text(report.eta) if report.done < report.total else ""
        self.bar.setFormat(f"Pass {report.done} of {report.total}" + (f" · {eta}" if eta else ""))

    def show_idle(self, text: str, done: int = 0, total: int = 1) -> None:
        """Show a finished, cancelled or failed state."""
        self._active = False
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(done)
        self.bar.setFormat(text)

    def refresh_theme(self) -> None:
        """Accent-coloured Run button, warning-coloured problem note."""
        c = theme.colors(self.palette())
        on_accent = "#000000" if c.dark else "#ffffff"
        self.run.setStyleSheet(
            f"QPushButton {{ background: {c.css('accent')}; color: {on_accent}; border-radius: 4px; padding: 4px 12px; }}"
            f"QPushButton:disabled {{ background: {c.css('track')}; color: {c.css('muted')}; }}"
        )
        self.problem.setStyleSheet(f"background: {c.css('warning')}; padding: 4px; border-radius: 3px;")
