"""All result panels of one run, laid out together: banner, top-5, plots, inputs, environment."""

from __future__ import annotations

import html
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from vggcompare.core.run.environment import environment_line
from vggcompare.core.analysis.result import RunResult
from vggcompare.gui.common import theme
from vggcompare.gui.results.inputs_strip import InputsStrip
from vggcompare.gui.results.maps_panel import MapsPanel
from vggcompare.gui.results.passes_plot import PassesPlot
from vggcompare.gui.results.top5 import Top5Panel
from vggcompare.gui.results.variance_plot import VariancePlot
from vggcompare.gui.results.verdict_banner import VerdictBanner


def timings_text(result: RunResult) -> str:
    """Speed of the run in words, from the core's timings."""
    t = result.timings
    parts = []
    if t.get("passes_per_second"):
        parts.append(f"{t['passes_per_second']:.3g} passes/s ({t.get('seconds_per_pass', 0):.3g} s per pass)")
    if "model_seconds" in t:
        parts.append(f"model ready in {t['model_seconds']:.2g} s")
    if "total_seconds" in t:
        parts.append(f"whole run {t['total_seconds']:.3g} s")
    return " · ".join(parts)


class ResultsView(QWidget):
    """The result of one run. ``side`` (the image panel) sits at the top left, beside the verdict."""

    plots_ready = Signal()  # both plots built after prepare_plots (or the plotting import failed)

    def __init__(self, side: QWidget | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: RunResult | None = None
        self.banner = VerdictBanner()
        self.top5 = Top5Panel()
        self.variance = VariancePlot()
        self.passes = PassesPlot()
        self.inputs = InputsStrip()
        self.maps = MapsPanel()
        self.environment = QLabel()
        self.environment.setWordWrap(True)
        self.environment.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        summary = QVBoxLayout()
        summary.setSpacing(10)
        summary.addWidget(self.banner)
        summary.addWidget(self.top5)
        summary.addStretch(1)
        top = QGridLayout()
        top.setHorizontalSpacing(16)
        if side is not None:
            top.addWidget(side, 0, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(summary, 0, 1)
        top.setColumnStretch(1, 1)
        self.plots = QSplitter(Qt.Orientation.Horizontal)
        self.plots.setChildrenCollapsible(False)
        self.plots.addWidget(self.variance)
        self.plots.addWidget(self.passes)
        self.plots.setStretchFactor(0, 3)
        self.plots.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self.plots, 1)
        layout.addWidget(self.maps)
        layout.addWidget(self.inputs)
        layout.addWidget(self.environment)
        self.plot_loader = None  # see prepare_plots
        self._staged: list = []  # steps still to draw for the shown result, one per event-loop turn
        self._stage_timer = QTimer(self, singleShot=True, interval=0, timeout=self.draw_next)
        self.refresh_theme()
        self.clear()

    def clear(self) -> None:
        """Back to the empty state."""
        self.result = None
        self._staged = []
        self._stage_timer.stop()
        self.banner.show_message("Press Run to send the image through the model", "")
        for panel in (self.top5, self.variance, self.passes, self.inputs, self.maps):
            panel.clear()
        self.environment.setText("")

    def show_result(self, result: RunResult) -> None:
        """Fill every panel from ``result`` (the core computed every number shown).

        The verdict, the top-5 and the environment line appear at once; the maps, the inputs strip and the two
        plots follow on the next turns of the event loop, a small step each, so the window never stops
        answering for the whole drawing at once. The steps that change the layout (the maps panel's words, the
        strip's height) come first, while the plots still show the older drawing or their message: a plot
        resized after it is drawn draws again (its axes too), which made the first result with maps hold the
        thread for 60–90 ms. A newer result drops the steps still pending for the older one.
        """
        self.result = result
        self.banner.show_result(result)
        self.top5.show_statistics(result.statistics)
        self._environment(result)
        maps, inputs = self.maps.stages(result), self.inputs.stages(result)
        self._staged = [maps[0], *inputs, *maps[1:], partial(self.variance.show_result, result),
                        partial(self.passes.show_result, result)]
        self._stage_timer.start()

    def prepare_plots(self) -> None:
        """Load pyqtgraph in small pieces and build the two plots, on later turns (call once the window is shown).

        Until then each plot shows its message; a result that comes first builds its plot itself.
        """
        from vggcompare.gui.results.plot_loader import PlotLoader

        if self.plot_loader is None:
            self.plot_loader = PlotLoader([self.variance.ensure_plot, self.passes.ensure_plot], self)
            self.plot_loader.finished.connect(self.plots_ready)
            self.plot_loader.start()

    @property
    def drawing(self) -> bool:
        """True while steps of the shown result are still to be drawn on later event-loop turns."""
        return bool(self._staged)

    def finish_drawing(self) -> None:
        """Draw every staged panel now (screenshots and reports need the whole result at once)."""
        while self._staged:
            self.draw_next()

    def draw_next(self) -> None:
        """Draw the next pending step now (the event loop calls this, one step a turn)."""
        if self._staged:
            self._staged.pop(0)()
        if self._staged:
            self._stage_timer.start()

    def _environment(self, result: RunResult) -> None:
        env = result.environment
        lines = [html.escape(environment_line(env))]
        model = env.get("model")
        speed = timings_text(result)
        lines.append(" · ".join(html.escape(x) for x in (model and f"Model: {model}", speed and f"Speed: {speed}") if x))
        self.environment.setText("<br>".join(lines))

    def set_stale(self, stale: bool) -> None:
        """Mark the shown result as the previous run's while a new run is going.

        The light panels are greyed. The two plots keep their drawing and say so in a note drawn over
        them: greying a pyqtgraph plot repaints all of its points, and a longer title re-lays the row
        out, resizing both plots (measured: 30–60 ms of the GUI thread at Run).
        """
        for panel in (self.top5, self.inputs, self.maps, self.environment):
            panel.setEnabled(not stale)
        for plot in (self.variance, self.passes):
            plot.set_previous(stale and self.result is not None)

    def refresh_theme(self) -> None:
        """Recolour every panel for the current palette."""
        c = theme.colors(self.palette())
        self.environment.setStyleSheet(f"color: {c.css('muted')};")
        for panel in (self.banner, self.top5, self.variance, self.passes):
            panel.refresh_theme()
