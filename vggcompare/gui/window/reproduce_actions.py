"""Compare → "Reproduce on this machine", as the window does it: ask, then start the reproduce controller."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from vggcompare.gui.window.run_guard import may_run
from vggcompare.gui.session.reproduce_session import ReproduceSession, image_to_use, needs_model_file


def ask_allow_model(window, original) -> bool | None:
    """None when no model file is involved; else whether the user allows loading the one the result names."""
    if not needs_model_file(original):
        return None
    answer = QMessageBox.question(
        window, "Load the result's model file?",
        f"This result names a model file:\n{original.config.model}\n\nA model file can run code when it is loaded. Load it "
        "(in Keras' safe mode) to reproduce the result?",
    )
    return answer == QMessageBox.StandardButton.Yes


def reproduce_shown(window) -> None:
    """What the menu action does: check, ask, then start reproducing the shown result."""
    original = window.session.result
    if original is None:
        window.statusBar().showMessage("Open a result (File → Open result JSON…) or run something first.", 10_000)
        return
    allowed = ask_allow_model(window, original)
    if allowed is False:
        window.statusBar().showMessage("Not reproduced: the result's model file was not allowed.", 10_000)
        return
    if not may_run(window):
        return
    window.reproducer.start(original, image_to_use(original, window.session.image), bool(allowed))


def attach(window) -> ReproduceSession:
    """Create the window's reproduce controller and connect it to the window's views (through the presenter)."""
    rep = ReproduceSession(window.session.runner, window)

    def on_finished(outcome) -> None:
        window.session.compare(outcome.original, outcome.new, "the original", "this machine", comparison=outcome.comparison)
        n = outcome.comparison.numbers
        head = "Reproduced bit for bit on this machine" if n.bit_identical else "Not reproduced bit for bit on this machine"
        window.tabs.compare_view.banner.show_message(head, outcome.verdict)

    p = window.presenter
    rep.started.connect(p.job_started)
    rep.progress.connect(window.run_panel.show_progress)
    rep.finished.connect(on_finished)
    rep.failed.connect(p.failed)
    rep.cancelled.connect(p.cancelled)
    return rep
