"""Compare → "Reproduce on this machine": re-run the shown result (e.g. a colleague's, opened with
File → Open result JSON…) here, in the engine process, and show both side by side with the verdict.

The work is :func:`vggcompare.core.run.reproduce.reproduce_result`. A model file named by the result
is loaded only after the user says yes (it then loads in Keras' safe mode). When the result's
picture is not on this machine, the picture open in the window is used; the core checks it by the
recorded pixel hash and refuses another picture with one sentence.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from vggcompare.core.model.backend import EngineSettings
from vggcompare.core.run.engine_process import Job
from vggcompare.gui.session.job_runner import JobRunner

TARGET = "vggcompare.core.run.reproduce:reproduce_result"


class ReproduceSession(QObject):
    """Runs reproductions in the engine and reports them; the window's views listen to its signals."""

    started = Signal(str, str)  # headline, detail
    progress = Signal(object)  # core Progress
    finished = Signal(object)  # core.run.reproduce.Reproduction
    failed = Signal(str, object, str)  # title, exception, traceback text

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._job: int | None = None
        runner.listen(self)

    def start(self, original, image_path: str | None, allow_model: bool) -> None:
        """Re-run ``original``'s exact configuration here (a run in progress is replaced)."""
        job = Job(TARGET, (original, image_path, allow_model))
        self._job = self.runner.submit(job, EngineSettings.from_config(original.config))
        self.started.emit("Reproducing the result on this machine…", f"Settings: {original.config.summary()}")

    def _on_progress(self, job_id: int, report) -> None:
        if job_id == self._job:
            self.progress.emit(report)

    def _on_succeeded(self, job_id: int, outcome) -> None:
        if job_id == self._job:
            self._job = None
            self.finished.emit(outcome)

    def _on_failed(self, job_id: int, exc: BaseException, details: str) -> None:
        if job_id == self._job:
            self._job = None
            self.failed.emit("The result could not be reproduced", exc, details)

    def _on_cancelled(self, job_id: int) -> None:
        if job_id == self._job:
            self._job = None


def ask_allow_model(window, original) -> bool | None:
    """None when no model file is involved; else whether the user allows loading the one the result names."""
    model = original.config.model
    if model in ("vgg19", "vgg19-random"):
        return None
    answer = QMessageBox.question(
        window, "Load the result's model file?",
        f"This result names a model file:\n{model}\n\nA model file can run code when it is loaded. Load it "
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
    image_path = None
    source = original.image.get("source") or original.config.image
    loaded = window.session.image
    if not (source and os.path.isfile(source)) and loaded is not None and os.path.isfile(loaded.source):
        image_path = loaded.source  # checked by the recorded pixel hash in the engine
    window.reproducer.start(original, image_path, bool(allowed))


def attach(window) -> ReproduceSession:
    """Create the window's reproduce controller and connect it to the window's views."""
    rep = ReproduceSession(window.session.runner, window)

    def on_started(headline: str, detail: str) -> None:
        window.results.banner.show_message(headline, detail)

    def on_finished(outcome) -> None:
        window.session.compare(outcome.original, outcome.new, "the original", "this machine", comparison=outcome.comparison)
        view = window.tabs.compare_view
        n = outcome.comparison.numbers
        head = "Reproduced bit for bit on this machine" if n.bit_identical else "Not reproduced bit for bit on this machine"
        view.banner.show_message(head, outcome.verdict)

    rep.started.connect(on_started)
    rep.progress.connect(window.run_panel.show_progress)
    rep.finished.connect(on_finished)
    rep.failed.connect(lambda title, exc, details: window.session.failed.emit(title, exc, details))
    return rep
