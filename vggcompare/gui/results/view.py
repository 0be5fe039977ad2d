"""All result panels of one run, laid out together: banner, top-5, plots, inputs, environment."""

from __future__ import annotations

import html
import time
from functools import partial

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from vggcompare.core.passes.environment import environment_line
from vggcompare.core.analysis.result import RunResult
from vggcompare.render import theme
from vggcompare.render.plots.inputs_strip import InputsStrip
from vggcompare.render.plots.maps_panel import MapsPanel
from vggcompare.render.plots.passes_plot import PassesPlot
from vggcompare.render.plots.top5 import Top5Panel
from vggcompare.render.plots.variance_plot import VariancePlot
from vggcompare.gui.common.verdict_banner import VerdictBanner


def timings_text(result: RunResult) -> str:
    """Speed of the run in words, from the core's timings."""
    t = result.timings
    parts = []
    if t.passes_per_second:
        parts.append(f"{t.passes_per_second:.3g} passes/s ({t.seconds_per_pass or 0:.3g} s per pass)")
    if t.model_seconds is not None:
        parts.append(f"model ready in {t.model_seconds:.2g} s")
    if t.total_seconds is not None:
        parts.append(f"whole run {t.total_seconds:.3g} s")
    return " · ".join(parts)


PAINT_WAIT_S = 0.25  # the longest a step waits for the paint of the plot drawn before it (a hidden plot paints never)


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
        self._stage_timer = QTimer(self, singleShot=True, interval=0, timeout=self._next_turn)
        self._awaiting_paint: float | None = None  # when the last plot step ended, until a paint pass has followed it
        self._paint_seen = False
        self._watched = None  # the top-level window whose paint passes are watched
        self.refresh_theme()
        self.clear()

    def clear(self) -> None:
        """Back to the empty state."""
        self.result = None
        self._staged = []
        self._awaiting_paint = None
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
        thread for 60–90 ms. After a plot's step the next waits for a paint pass and then one more turn: Qt
        paints in the turn after a change, before that turn's timers, so a plot's paint (25–40 ms, its axes' text
        mostly) and the next step shared one turn (65–110 ms). A newer result drops the older one's pending steps.
        """
        self.result = result
        self.banner.show_result(result)
        self.top5.show_statistics(result.statistics)
        self._environment(result)
        maps, inputs = self.maps.stages(result), self.inputs.stages(result)
        self._staged = [maps[0], *inputs, *maps[1:], _painted_alone(partial(self.variance.show_result, result)),
                        _painted_alone(partial(self.passes.show_result, result))]
        self._await_paint()  # the banner and the top 5 are painted in a turn of their own, before the first step
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
        self._stage_timer.stop()
        self._awaiting_paint = None
        while self._staged:
            self._staged.pop(0)()

    def draw_next(self) -> None:
        """Draw the next pending step now (the event loop calls it, a step a turn, with a paint after each plot)."""
        self._awaiting_paint = None
        if self._staged:
            step = self._staged.pop(0)
            step()
            if getattr(step, "painted_alone", False):
                self._await_paint()
        if self._staged:
            self._stage_timer.start(0)

    def _next_turn(self) -> None:
        """The timer's turn: after a plot step, wait for a paint pass, then one more turn; else the next step."""
        if self._awaiting_paint is not None:
            if not self._paint_seen and time.perf_counter() - self._awaiting_paint < PAINT_WAIT_S:
                self._stage_timer.start(2)
            else:
                self._awaiting_paint = None  # the paint has had its turn: the next step comes a turn later, alone
                self._stage_timer.start(0)
            return
        self.draw_next()

    def _await_paint(self) -> None:
        top = self.window()
        if self._watched is not top:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            top.installEventFilter(self)
            self._watched = top
        self._awaiting_paint, self._paint_seen = time.perf_counter(), False

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt naming
        """Note the window's paint passes (see draw_next); never consumes an event."""
        if event.type() == QEvent.Type.UpdateRequest:
            self._paint_seen = True
        return False

    def _environment(self, result: RunResult) -> None:
        env = result.environment
        lines = [html.escape(environment_line(env))]
        model = env.model
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


def _painted_alone(step: partial) -> partial:
    """Mark a step whose paint is heavy: the next step waits until that paint has had a turn of its own."""
    step.painted_alone = True
    return step
