"""Whether a run may start now: a sweep is never cancelled silently, the user is asked to pause it."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

PAUSE_QUESTION = ("A sweep of the Many images tab is running. Pause it to start this? Its finished images are kept "
                  "in its table, and it resumes from there when you press Run on every image again.")


def ask_pause_sweep(window) -> bool:
    """Ask whether to pause the sweep for a run (tests replace this)."""
    answer = QMessageBox.question(window, "Pause the sweep?", PAUSE_QUESTION)
    return answer == QMessageBox.StandardButton.Yes


def may_run(window) -> bool:
    """True when nothing stands in the way; during a sweep, True only if the user chose to pause it (it is paused)."""
    sweeps = window.sweep_view.sweeps
    if not sweeps.running:
        return True
    if not ask_pause_sweep(window):
        window.statusBar().showMessage("Not started: the sweep goes on.", 10_000)
        return False
    sweeps.pause()
    return True
