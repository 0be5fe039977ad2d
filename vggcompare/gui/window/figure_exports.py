"""The window's figure and report choices: right-click → "Save figure as…" on its plots, Export → Figure,
and the "Show full paths" and "Include every run" boxes the PDF reports and figures follow.

It takes the window as it is (results view, tabs, session, settings, status bar) and changes no
layout; the boxes are remembered in the window's settings.
"""

from __future__ import annotations

from PySide6.QtGui import QAction

from vggcompare.gui.window.figure_menu import add_save_figure_target, install_save_figure

FULL_PATHS_KEY, INCLUDE_RUNS_KEY = "export/full_paths", "export/include_every_run"
NAMES = {"top5": "Top-5", "variance": "Spread plot", "passes": "Passes plot", "inputs": "Inputs strip",
         "difference": "Difference plot (comparison)"}


class FigureExports:
    """Owns the two boxes and puts "Save figure as…" on every plot of the window."""

    def __init__(self, window) -> None:
        self.window = window
        store = window.settings.store
        self.full_paths = self._box("Show full paths",
                                    "Reports and figures show the image's whole path instead of only its file name.",
                                    store, FULL_PATHS_KEY)
        self.include_runs = self._box("Include every run",
                                      "A demonstration's PDF report adds every run after its one-page summary.",
                                      store, INCLUDE_RUNS_KEY)
        self.panels = self._install()

    def _box(self, text: str, tip: str, store, key: str) -> QAction:
        action = QAction(text, self.window, checkable=True)
        action.setChecked(str(store.value(key, "false")).lower() == "true")
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.toggled.connect(lambda on: store.setValue(key, on))
        return action

    def _install(self) -> dict:
        """Right-click menus on the result plots and the comparison's difference plot; returns them by kind."""
        w = self.window
        r, session = w.results, w.session
        pair = lambda k: (lambda: session.last_pair[k] if session.last_pair else None)  # noqa: E731
        panels = {"top5": (r.top5, lambda: r.result, None, []),
                  "variance": (r.variance, lambda: r.result, None, []),
                  "passes": (r.passes, lambda: r.result, None, []),
                  "inputs": (r.inputs, lambda: r.result, None, [])}
        for kind, (panel, result, against, targets) in panels.items():
            install_save_figure(panel, kind, result, self._write, self._failed, self.full_paths.isChecked, against, targets)
        for panel in (r.variance, r.passes):  # their plots are built after the first paint: the menu goes on then
            panel.plot_built.connect(lambda widget, p=panel: add_save_figure_target(p, widget.viewport()))

        def difference(view) -> None:  # the comparison is built when first needed, so its menu is added then
            entry = (view.diff_plot, pair(0), pair(1), [view.diff_plot.viewport()])
            panels["difference"] = entry
            install_save_figure(entry[0], "difference", entry[1], self._write, self._failed, self.full_paths.isChecked, entry[2], entry[3])

        w.tabs.compare_view_built.connect(difference)
        return panels

    def save(self, kind: str) -> None:
        """Export → Figure: save the ``kind`` plot of what the window shows."""
        if kind == "difference":
            self.window.tabs.compare_view  # noqa: B018 - builds the comparison (and its entry) if needed
        panel, result, _against, _targets = self.panels[kind]
        if result() is None:
            what = "two runs compared" if kind == "difference" else "a run"
            self.window.statusBar().showMessage(f"There is no figure to save yet: it needs {what}.", 8000)
            return
        panel.save_figure_now()

    def add_to_menu(self, menu) -> None:
        """A "Figure (SVG, PDF or PNG)" submenu with each plot, then the two boxes."""
        figures = menu.addMenu("Figure (SVG, PDF or PNG)")
        for kind, name in NAMES.items():
            figures.addAction(QAction(f"{name}…", self.window, triggered=lambda _c=False, k=kind: self.save(k)))
        menu.addAction(self.full_paths)
        menu.addAction(self.include_runs)

    def report_options(self, demonstration: bool = False) -> dict:
        """Keyword arguments for the report writers, from the boxes."""
        options = {"full_paths": self.full_paths.isChecked()}
        if demonstration:
            options["appendix"] = self.include_runs.isChecked()
        return options

    def _write(self, path: str, data: bytes) -> None:
        """Write a drawn figure off the GUI thread, as the other exports are; a failure is one sentence."""
        from vggcompare.core.atomic import atomic_write_bytes

        self.window.session.file_job(atomic_write_bytes, path, data, done=self._saved,
                                     failed=lambda exc, _details: self._failed(exc))

    def _saved(self, path) -> None:
        self.window.statusBar().showMessage(f"Saved {path}", 10_000)

    def _failed(self, exc: Exception) -> None:
        from vggcompare.gui.common.dialogs import error_sentence

        self.window.show_error("The figure was not saved", error_sentence(exc))
