"""Shows the session's outcomes in the window's views: results, demonstrations, comparisons, failures, busy state."""

from __future__ import annotations

from vggcompare.core.errors import GradcamUnavailableError, WeightsUnavailableError
from vggcompare.gui.common.dialogs import error_sentence
from vggcompare.render.numbers import n_passes
from vggcompare.gui.window.tabs import COMPARE_TAB, DEMOS_TAB, RESULT_TAB


class Presenter:
    """Connects the session controller's signals to the main window's views."""

    def __init__(self, window) -> None:
        self.window = window
        self._running: int | None = None  # the tab whose banner says a job is going
        s = window.session
        s.job_started.connect(self.job_started)
        s.progress.connect(window.run_panel.show_progress)
        s.result_ready.connect(self.show_result)
        s.preset_ready.connect(self._on_preset_ready)
        s.comparison_ready.connect(self._on_comparison)
        s.failed.connect(self.failed)
        s.cancelled.connect(self.cancelled)
        s.busy_changed.connect(self._on_busy_changed)

    def job_started(self, headline: str, detail: str) -> None:
        """A run, demonstration, repeat or reproduction started: its banner, and the Run panel's "Starting…"."""
        w = self.window
        w.run_panel.show_starting()
        self._end_running()  # the job it replaced says so no more
        if w.tabs.currentIndex() == DEMOS_TAB:
            self._running = DEMOS_TAB
            w.tabs.preset_view.setVisible(True)
            w.tabs.preset_view.banner.show_message(headline, detail)
        else:
            self._running = RESULT_TAB
            w.results.set_stale(True)
            w.results.banner.show_message(headline, detail)

    def _end_running(self, title: str = "", text: str = "") -> None:
        """The job shown as going has ended: its banner shows its last outcome again (or ``title`` and ``text``)."""
        where, self._running = self._running, None
        w = self.window
        if where == DEMOS_TAB:
            view = w.tabs.preset_view
            if view.outcome is not None:
                view.show_outcome(view.outcome)
            else:
                view.banner.show_message(title or "No demonstration shown yet", text)
        elif where == RESULT_TAB:
            w.results.set_stale(False)
            if w.results.result is not None:
                w.results.show_result(w.results.result)
                if title:
                    w.statusBar().showMessage(f"{title} The results shown are from the previous run.", 10_000)
            else:
                w.results.banner.show_message(title or "No run shown yet", text)

    def show_result(self, result) -> None:
        """Show a finished or opened run in every panel."""
        w = self.window
        if self._running == RESULT_TAB:
            self._running = None  # the new result replaces the banner's message
        self._end_running()
        w.results.set_stale(False)
        w.results.show_result(result)
        size = result.image.model_input_size
        if size and w.image_panel.loaded is not None:
            w.image_panel.set_model_view(input_size=(int(size[0]), int(size[1])), interpolation=result.config.interpolation,
                                           switches=result.config.pitfalls, loader=result.config.loader)
        w.run_panel.show_idle(f"Done: {n_passes(result.passes)} in {result.timings.total_seconds or 0:.3g} s", 1, 1)
        w.statusBar().showMessage(f"Finished: {result.name}", 10_000)
        w.tabs.setCurrentIndex(RESULT_TAB)
        if result.environment.model:
            w.model_state.model_used(result.environment.model)
        w.update_estimates()

    def _on_preset_ready(self, outcome) -> None:
        w = self.window
        if self._running == DEMOS_TAB:
            self._running = None  # the outcome replaces the banner's message
        self._end_running()
        w.tabs.preset_view.setVisible(True)
        w.tabs.preset_view.show_outcome(outcome)
        w.tabs.setCurrentIndex(DEMOS_TAB)
        w.run_panel.show_idle(f"Done: {outcome.title}", 1, 1)

    def _on_comparison(self, a, b, a_name: str, b_name: str, comparison) -> None:
        w = self.window
        self._end_running("The comparison is on the History & compare tab.")
        w.tabs.compare_view.show_pair(a, b, comparison, a_name, b_name)
        w.tabs.setCurrentIndex(COMPARE_TAB)
        w.run_panel.show_idle("Done: comparison shown", 1, 1)

    def cancelled(self) -> None:
        """A job shown in the Run panel was cancelled: no banner or bar keeps saying it runs."""
        w = self.window
        w.run_panel.show_idle("Cancelled")
        self._end_running("The run was cancelled.", "Press Run to start again.")

    def failed(self, title: str, exc: BaseException, details: str) -> None:
        """A job failed: one sentence in the banner and a dialog (or the weights prompt)."""
        w = self.window
        w.run_panel.show_idle("Failed")
        self._end_running(f"{title}.", error_sentence(exc))
        if isinstance(exc, WeightsUnavailableError) and w.model_state.weights_missing(str(exc)):
            return  # the weights prompt offers the ways on
        before = getattr(w, "error_box", None)
        w.show_error(title, error_sentence(exc), details)
        box = getattr(w, "error_box", None)
        if isinstance(exc, GradcamUnavailableError) and box is not None and box is not before:  # a new box (the window is open)
            self.offer_occlusion(box)

    def offer_occlusion(self, box) -> None:
        """Grad-CAM cannot explain this model: the error box offers to run again with occlusion maps."""
        from PySide6.QtWidgets import QMessageBox

        button = box.addButton("Run with occlusion", QMessageBox.ButtonRole.AcceptRole)
        button.setToolTip("Choose occlusion maps (forward passes only: any model) and run again")
        button.clicked.connect(self.run_with_occlusion)
        box.setDefaultButton(button)

    def run_with_occlusion(self) -> None:
        """Switch the maps to occlusion and start the run again (the window's wiring sets the controls)."""
        from vggcompare.gui.window.model_wiring import rerun_with_maps

        rerun_with_maps(self.window, "occlusion")

    def _on_busy_changed(self, busy: bool) -> None:
        w = self.window
        w.run_panel.set_busy(busy)
        w.cancel_action.setEnabled(busy)

