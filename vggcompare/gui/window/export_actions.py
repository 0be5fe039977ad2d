"""What the Export menu and File → Open result do: ask for a file, then write or read it off the GUI thread."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QFileDialog

from vggcompare.core.atomic import atomic_write_bytes
from vggcompare.gui.window import exports
from vggcompare.gui.common.dialogs import error_sentence


class ExportActions:
    """Exports of what the window shows: PNGs of panels, CSV and JSON of the run, PDF reports."""

    def __init__(self, window) -> None:
        from vggcompare.gui.window.figure_exports import FigureExports

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
            self._render_then_write(lambda: exports.png_bytes(widget, scale), path)

    def export_data(self, key: str) -> None:
        """Ask for a file name and export the shown run as CSV or JSON."""
        result = self.window.session.result
        if result is None:
            self.window.statusBar().showMessage("Run something first: there is nothing to export.", 8000)
            return
        title, filters, ext, fn = exports.EXPORTERS[key]
        path = exports.ask_save_path(self.window, f"Export {title}", f"vggcompare-{key}{ext}", filters)
        if path:
            self._file_job(partial(fn, overwrite=True), result, path)

    def export_pdf(self, kind: str) -> None:
        """Ask for a file name and write a PDF report of the run, the comparison or the demonstration."""
        from vggcompare.render import report
        from vggcompare.render.report.run_page import PICTURES, load_pictures

        w = self.window
        session, outcome = w.session, w.tabs.preset_view.outcome
        if kind == "run" and session.result is not None:
            runs, make = [session.result], lambda: report.write_run_report(session.result, None, **self.figures.report_options())  # noqa: E731
        elif kind == "comparison" and session.last_pair is not None:
            runs = list(session.last_pair)
            make = lambda: report.write_comparison_report(*session.last_pair, None, **self.figures.report_options())  # noqa: E731
        elif kind == "demo" and outcome is not None:
            runs, make = list(outcome.runs.values()), lambda: report.write_preset_report(outcome, None, **self.figures.report_options(True))  # noqa: E731
        else:
            w.statusBar().showMessage(f"There is no {kind} to report yet.", 8000)
            return
        path = exports.ask_save_path(w, "Save PDF report", f"vggcompare-{kind}.pdf", "PDF files (*.pdf)")
        if not path:
            return

        def render(pictures: dict) -> bytes:
            token = PICTURES.set(pictures)  # the pictures were read by the file job: drawing reads no file
            try:
                return make()
            finally:
                PICTURES.reset(token)

        w.session.file_job(load_pictures, runs, done=lambda pictures: self._render_then_write(lambda: render(pictures), path),
                           failed=self._failed)

    def _render_then_write(self, render, path: str) -> None:
        """Draw on the GUI thread (into memory), then write the file off it."""
        try:
            data = render()
        except (OSError, ValueError) as exc:
            self._failed(exc)
            return
        self._file_job(atomic_write_bytes, path, data)

    def _file_job(self, func, *args) -> None:
        self.window.session.file_job(func, *args, failed=self._failed,
                                     done=lambda path: self.window.statusBar().showMessage(f"Saved {path}", 10_000))

    def _failed(self, exc: BaseException, _details: str = "") -> None:
        self.window.show_error("The export failed", error_sentence(exc))
