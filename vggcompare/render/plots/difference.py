"""The difference of two runs' mean probabilities, B − A, per class, the five largest labelled."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from vggcompare.core.analysis.compare import RunComparison
from vggcompare.render import theme
from vggcompare.render.numbers import fmt
from vggcompare.render.plots.plot_labels import PointLabels
from vggcompare.render.plots.plotting import apply_plot_theme, make_plot_widget


class DifferencePlot:
    """Owns a plot widget; ``show(labels, comparison)`` draws one bar per class and names the largest."""

    def __init__(self, min_height: int = 170, font=None) -> None:
        self.widget = make_plot_widget(min_height)
        if font is not None:
            self.widget.setFont(font)
        self.plot = self.widget.getPlotItem()
        self.bars = pg.BarGraphItem(x=[], height=[], width=1.0)
        self.worst = pg.ScatterPlotItem(size=9, pen=None)
        self.message = pg.TextItem("", anchor=(0.5, 0.5))
        for item in (self.bars, self.worst, self.message):
            self.plot.addItem(item)
        self.labels = PointLabels(self.plot, theme.scaled_font(self.widget.font(), 1.0, bold=True))

    def show(self, labels: list[str], cmp: RunComparison, palette=None) -> None:
        """Draw B − A for every class; the five largest differences get a dot and their class name."""
        pal = palette or self.widget.palette()
        c = theme.colors(pal)
        apply_plot_theme(self.widget, pal)
        diff = np.asarray(cmp.numbers.mean_difference, dtype=np.float64)
        x = np.arange(diff.size, dtype=np.float64)
        self.bars.setOpts(x=x, height=diff, width=1.0, brush=c.muted, pen=None)
        self.plot.setLabel("left", "B − A")
        self.plot.setLabel("bottom", f"class number (0 – {diff.size - 1})")
        self.plot.setXRange(-0.5, diff.size - 0.5, padding=0.01)
        if not np.any(diff):
            self.worst.setData([], [])
            self.labels.set_labels([], c.accent, c.base)
            self.message.setText("No difference: the mean probabilities are identical.", color=c.text)
            self.message.setPos(diff.size / 2, 0)
            self.plot.setYRange(-1, 1, padding=0)
            return
        self.message.setText("")
        worst = np.argsort(-np.abs(diff), kind="stable")[:5]
        self.worst.setData(x[worst], diff[worst], brush=pg.mkBrush(c.accent))
        lim = float(np.abs(diff).max()) * 1.35
        self.plot.setYRange(-lim, lim, padding=0)
        entries = [(f"{theme.short_label(labels[i])} {'+' if diff[i] > 0 else ''}{fmt(float(diff[i]))}", float(x[i]), float(diff[i]))
                   for i in worst]
        self.labels.set_labels(entries, c.accent, c.base)
