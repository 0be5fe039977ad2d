"""Wires history, comparison, demonstrations and exports into the main window.

Finished runs are saved to the history as they complete (on a background thread, atomically);
demonstrations and repeats run on the TensorFlow thread through their own RunController, and a
new run or demonstration cancels the one in progress first.
"""

from __future__ import annotations

import os
import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QSplitter, QTabWidget

from vggcompare.core.errors import ResultFileError
from vggcompare.core.storage.history import History
from vggcompare.core.run.presets import PRESETS, PresetOutcome
from vggcompare.core.analysis.result import RunResult
from vggcompare.gui.compare import exports
from vggcompare.gui.compare.compare_view import CompareView
from vggcompare.gui.compare.history_panel import HistoryPanel
from vggcompare.gui.compare.jobs import RepeatOutcome, preset_job, repeat_job
from vggcompare.gui.compare.preset_view import PresetView
from vggcompare.gui.dialogs import error_sentence
from vggcompare.gui.window_layout import scrolled
from vggcompare.gui.worker import RunController

RESULT_TAB, COMPARE_TAB, DEMOS_TAB = 0, 1, 2


class Lab(QObject):
    """History, Compare, Demos and Export for one main window."""

    saved = Signal(object, object)  # RunResult, HistoryEntry or exception (from the saving thread)
    history_loaded = Signal(object, object)  # entries, warnings (from the loading thread)

    def __init__(self, window: QMainWindow, history: History | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.history_panel = HistoryPanel(history)
        self.compare_view = CompareView()
        self.preset_view = PresetView()
        self.jobs = RunController(self)
        window.runner.autosave = self.history_panel.history.add
        self.last_pair: tuple[RunResult, RunResult] | None = None
        self._savers: list[threading.Thread] = []
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.history_panel)
        split.addWidget(scrolled(self.compare_view))
        split.setSizes([300, 1000])
        split.setChildrenCollapsible(False)
        self.tabs = QTabWidget()
        self.tabs.addTab(window.results, "Result")
        self.tabs.addTab(split, "History && compare")
        self.tabs.addTab(scrolled(self.preset_view, horizontal=False), "Demonstrations")
        self.saved.connect(self._on_saved)
        self.history_panel.open_requested.connect(self.open_result)
        self.history_panel.compare_requested.connect(self.show_comparison)
        self.history_panel.warning.connect(lambda text: window.statusBar().showMessage(text, 15_000))
        self.jobs.progress.connect(window.run_panel.show_progress)
        self.jobs.succeeded.connect(self._on_job_done)
        self.jobs.failed.connect(lambda exc, details: window.show_error("The demonstration failed", error_sentence(exc), details))
        self.jobs.cancelled.connect(lambda: window.run_panel.show_idle("Cancelled"))
        self.jobs.busy_changed.connect(self._on_busy)
        window.run_panel.cancel.clicked.connect(self.jobs.cancel)
        self.history_panel.status.setText("Loading the saved runs…")
        self.history_loaded.connect(self._on_history_loaded)
        self._loader = threading.Thread(target=self._load_history, name="vggcompare-history", daemon=True)
        self._loader.start()  # off the GUI thread, so a long history never delays the window

    def _load_history(self) -> None:
        try:
            entries, warnings = self.history_panel.history.load()
        except OSError as exc:
            entries, warnings = [], [f"The history folder cannot be read: {exc.strerror or exc}"]
        self.history_loaded.emit(entries, warnings)

    def _on_history_loaded(self, entries, warnings) -> None:
        newer = self.history_panel.entries()  # runs finished while the history was loading
        known = {e.path for e in newer}
        self.history_panel.populate([e for e in entries if e.path not in known], warnings)
        for entry in reversed(newer):
            self.history_panel.add_item(entry)

    # ---- menus -----------------------------------------------------------------------------
    def install_menus(self) -> None:
        """Add File > Open result, and the Compare, Demos and Export menus."""
        w = self.window
        bar = w.menuBar()
        file_menu = bar.actions()[0].menu()
        file_menu.insertAction(file_menu.actions()[2], QAction("Open result JSON…", w, triggered=self.open_result_dialog))
        cmp = bar.addMenu("&Compare")
        self.repeat_action = QAction("Repeat this run and compare", w, shortcut=QKeySequence("Ctrl+Shift+R"),
                                     triggered=lambda: self.repeat(False))
        self.fresh_action = QAction("Repeat in a fresh Python process and compare", w, triggered=lambda: self.repeat(True))
        for a in (self.repeat_action, self.fresh_action):
            a.setStatusTip("Re-run the shown run's exact configuration and say whether it is the same, bit for bit")
            cmp.addAction(a)
        cmp.addAction(QAction("Show history", w, triggered=lambda: self.tabs.setCurrentIndex(COMPARE_TAB)))
        demos = bar.addMenu("&Demos")
        for preset in PRESETS.values():
            action = QAction(preset.title, w, triggered=lambda _c=False, n=preset.name: self.start_preset(n))
            action.setStatusTip(preset.explanation)
            action.setToolTip(preset.explanation)
            demos.addAction(action)
        demos.setToolTipsVisible(True)
        self._export_menu(bar.addMenu("&Export"))
        for action in list(bar.actions()):
            if action.text() == "&Help":  # keep Help last
                bar.removeAction(action)
                bar.addAction(action)

    def _export_menu(self, menu) -> None:
        w = self.window
        for scale in (1, 2):
            menu.addAction(QAction(f"Window as PNG ({scale}×)…", w, triggered=lambda _c=False, s=scale: self.save_png(w, "window", s)))
        panels = menu.addMenu("Panel as PNG")
        for name, getter in self._panels().items():
            for scale in (1, 2):
                panels.addAction(QAction(f"{name} ({scale}×)…", w, triggered=lambda _c=False, g=getter, n=name, s=scale: self.save_png(g(), n, s)))
        menu.addAction(QAction("Copy window to clipboard", w, triggered=lambda: exports.copy_to_clipboard(w)))
        menu.addAction(QAction("Copy result panel to clipboard", w, triggered=lambda: exports.copy_to_clipboard(w.results)))
        menu.addSeparator()
        for key, (title, _f, _e, _fn) in exports.EXPORTERS.items():
            menu.addAction(QAction(f"{title}…", w, triggered=lambda _c=False, k=key: self.export_data(k)))
        menu.addSeparator()
        menu.addAction(QAction("PDF report of this run…", w, triggered=lambda: self.export_pdf("run")))
        menu.addAction(QAction("PDF report of the comparison…", w, triggered=lambda: self.export_pdf("comparison")))
        menu.addAction(QAction("PDF report of the demonstration…", w, triggered=lambda: self.export_pdf("demo")))

    def _panels(self) -> dict:
        r = self.window.results
        return {"Verdict": lambda: r.banner, "Top-5": lambda: r.top5, "Spread plot": lambda: r.variance,
                "Passes plot": lambda: r.passes, "Inputs strip": lambda: r.inputs, "Comparison": lambda: self.compare_view,
                "Demonstration": lambda: self.preset_view}

    # ---- history ---------------------------------------------------------------------------
    def record(self, result: RunResult) -> None:
        """Save a finished run to the history on a background thread (atomic write); a run the
        worker saved already (``history_entry``) is only listed."""
        saved = getattr(result, "history_entry", None)
        if saved is not None:
            self._on_saved(result, saved)
            return

        def save() -> None:
            try:
                entry = self.history_panel.history.add(result)
            except Exception as exc:  # noqa: BLE001 - reported on the GUI thread
                entry = exc
            self.saved.emit(result, entry)

        thread = threading.Thread(target=save, name="vggcompare-autosave", daemon=False)
        self._savers = [t for t in self._savers if t.is_alive()] + [thread]
        thread.start()

    def _on_saved(self, result: RunResult, entry) -> None:
        if isinstance(entry, Exception):
            self.window.show_error("The run could not be saved to the history", error_sentence(entry))
            return
        self.history_panel.list_entry(entry)

    def open_result(self, result: RunResult) -> None:
        """Show a saved run in the Result tab (it is not saved again)."""
        self.window.results.set_stale(False)
        self.window.results.show_result(result)
        self.tabs.setCurrentIndex(RESULT_TAB)

    def open_result_dialog(self) -> None:
        """Open a result JSON from disk, add it to the history and show it."""
        path, _ = QFileDialog.getOpenFileName(self.window, "Open a result", "", "vggcompare results (*.json)")
        if path:
            self.open_result_file(path)

    def open_result_file(self, path: str) -> None:
        """Import a result file into the history and show it; a bad file gets one sentence."""
        try:
            entry = self.history_panel.history.import_file(path)
        except (ResultFileError, OSError) as exc:
            self.window.show_error("The result cannot be opened", error_sentence(exc))
            return
        self.history_panel.list_entry(entry)
        self.open_result(entry.result)

    def show_comparison(self, a: RunResult, b: RunResult, a_name: str = "A", b_name: str = "B") -> None:
        """Show two runs side by side in the Compare tab."""
        try:
            self.compare_view.show_pair(a, b, a_name, b_name)
        except ValueError as exc:
            self.window.show_error("These runs cannot be compared", str(exc))
            return
        self.last_pair = (a, b)
        self.tabs.setCurrentIndex(COMPARE_TAB)

    # ---- jobs ------------------------------------------------------------------------------
    def start_preset(self, name: str) -> None:
        """Run a demonstration with the window's current model and image."""
        w = self.window
        try:
            config = w.current_config()
        except Exception as exc:  # noqa: BLE001 - ConfigError and friends, one sentence
            w.run_panel.set_problem(error_sentence(exc))
            return
        w.runner.cancel()
        self.preset_view.banner.show_message(PRESETS[name].title, "Running… " + PRESETS[name].explanation)
        self.tabs.setCurrentIndex(DEMOS_TAB)
        self.jobs.start(config, w.image_panel.loaded, preset_job(name))

    def repeat(self, fresh_process: bool) -> None:
        """Repeat the shown run's exact configuration and compare the two."""
        w = self.window
        original = w.results.result
        if original is None:
            w.statusBar().showMessage("Run something first: there is no run to repeat.", 8000)
            return
        if not original.config.image or not os.path.isfile(original.config.image):
            w.show_error("This run cannot be repeated", "Its image file is not on disk any more (pasted images cannot be repeated).")
            return
        w.runner.cancel()
        self.jobs.start(original.config, None, repeat_job(original, fresh_process))

    def _on_job_done(self, outcome) -> None:
        w = self.window
        if isinstance(outcome, PresetOutcome):
            self.preset_view.show_outcome(outcome)
            self.tabs.setCurrentIndex(DEMOS_TAB)
            for result in outcome.runs.values():
                self.record(result)
            w.run_panel.show_idle(f"Done: {outcome.title}", 1, 1)
        elif isinstance(outcome, RepeatOutcome):
            self.record(outcome.repeat)
            self.show_comparison(outcome.original, outcome.repeat, "the original",
                                 "the repeat in a fresh process" if outcome.fresh_process else "the repeat")
            w.run_panel.show_idle("Done: repeat compared", 1, 1)

    def _on_busy(self, busy: bool) -> None:
        self.window.run_panel.set_busy(busy or self.window.runner.busy)
        self.window.cancel_action.setEnabled(busy or self.window.runner.busy)

    # ---- exports ---------------------------------------------------------------------------
    def save_png(self, widget, name: str, scale: float) -> None:
        """Ask for a file name and save a PNG of ``widget``."""
        path = exports.ask_save_path(self.window, f"Save {name} as PNG", f"{name.lower().replace(' ', '-')}@{int(scale)}x.png", "PNG images (*.png)")
        if path:
            self._guard(lambda: exports.save_png(widget, path, scale, overwrite=True))

    def export_data(self, key: str) -> None:
        """Ask for a file name and export the shown run as CSV or JSON."""
        result = self.window.results.result
        if result is None:
            self.window.statusBar().showMessage("Run something first: there is nothing to export.", 8000)
            return
        title, filters, ext, fn = exports.EXPORTERS[key]
        path = exports.ask_save_path(self.window, f"Export {title}", f"vggcompare-{key}{ext}", filters)
        if path:
            self._guard(lambda: fn(result, path, overwrite=True))

    def export_pdf(self, kind: str) -> None:
        """Ask for a file name and write a PDF report of the run, the comparison or the demonstration."""
        from vggcompare.gui import report

        w = self.window
        if kind == "run" and w.results.result is not None:
            make = lambda p: report.write_run_report(w.results.result, p)  # noqa: E731
        elif kind == "comparison" and self.last_pair is not None:
            make = lambda p: report.write_comparison_report(*self.last_pair, p)  # noqa: E731
        elif kind == "demo" and self.preset_view.outcome is not None:
            make = lambda p: report.write_preset_report(self.preset_view.outcome, p)  # noqa: E731
        else:
            w.statusBar().showMessage(f"There is no {kind} to report yet.", 8000)
            return
        path = exports.ask_save_path(w, "Save PDF report", f"vggcompare-{kind}.pdf", "PDF files (*.pdf)")
        if path:
            self._guard(lambda: make(path))

    def _guard(self, action) -> None:
        try:
            path = action()
        except (OSError, ValueError) as exc:
            self.window.show_error("The export failed", error_sentence(exc))
            return
        self.window.statusBar().showMessage(f"Saved {path}", 10_000)

    def shutdown(self) -> None:
        """Cancel jobs and wait for pending saves, so no finished run is lost."""
        self.jobs.shutdown()
        self._loader.join(timeout=30)
        for thread in self._savers:
            thread.join(timeout=60)
