"""What the Export menu and File → Open result do: ask for a file, then write or read it."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from vggcompare.gui.window import exports
from vggcompare.gui.common.dialogs import error_sentence


class ExportActions:
    """Exports of what the window shows: PNGs of panels, CSV and JSON of the run, PDF reports."""

    def __init__(self, window) -> None:
        from vggcompare.gui.output.figures.window_exports import FigureExports

        self.window = window
        self.figures = FigureExports(window)  # right-click "Save figure as…", the full-paths and every-run boxes

    def panels(self) -> dict:
        """The panels offered as PNG, by name."""
        w = self.window
        r = w.results
        return {"Verdict": lambda: r.banner, "Top-5": lambda: r.top5, "Spread plot": lambda: r.variance,
                "Passes plot": lambda: r.passes, "Inputs strip": lambda: r.inputs, "Comparison": lambda: w.tabs.compare_view,
                "Demonstration": lambda: w.tabs.preset_view}

    def open_result_dialog(self) -> None:
        """Open a result JSON from disk: it is added to the history and shown."""
        path, _ = QFileDialog.getOpenFileName(self.window, "Open a result", "", "vggcompare results (*.json)")
        if path:
            self.window.session.open_result_file(path)

    def save_png(self, widget, name: str, scale: float) -> None:
        """Ask for a file name and save a PNG of ``widget``."""
        path = exports.ask_save_path(self.window, f"Save {name} as PNG", f"{name.lower().replace(' ', '-')}@{int(scale)}x.png", "PNG images (*.png)")
        if path:
            self._guard(lambda: exports.save_png(widget, path, scale, overwrite=True))

    def export_data(self, key: str) -> None:
        """Ask for a file name and export the shown run as CSV or JSON."""
        result = self.window.session.result
        if result is None:
            self.window.statusBar().showMessage("Run something first: there is nothing to export.", 8000)
            return
        title, filters, ext, fn = exports.EXPORTERS[key]
        path = exports.ask_save_path(self.window, f"Export {title}", f"vggcompare-{key}{ext}", filters)
        if path:
            self._guard(lambda: fn(result, path, overwrite=True))

    def export_pdf(self, kind: str) -> None:
        """Ask for a file name and write a PDF report of the run, the comparison or the demonstration."""
        from vggcompare.gui.output import report

        w = self.window
        session, outcome = w.session, w.tabs.preset_view.outcome
        if kind == "run" and session.result is not None:
            make = lambda p: report.write_run_report(session.result, p, **self.figures.report_options())  # noqa: E731
        elif kind == "comparison" and session.last_pair is not None:
            make = lambda p: report.write_comparison_report(*session.last_pair, p, **self.figures.report_options())  # noqa: E731
        elif kind == "demo" and outcome is not None:
            make = lambda p: report.write_preset_report(outcome, p, **self.figures.report_options(True))  # noqa: E731
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
