"""A horizontal bar chart of one number per variant, e.g. how far each preprocessing pitfall moves the output."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from vggcompare.render import theme
from vggcompare.render.numbers import fmt
from vggcompare.render.plots.plotting import apply_plot_theme, make_plot_widget


class BarsPlot:
    """Owns a plot widget; ``show(bars, label)`` draws one labelled bar per (name, value)."""

    def __init__(self) -> None:
        self.widget = make_plot_widget(220)
        self.widget.getPlotItem().showGrid(x=True, y=False, alpha=0.25)

    def show(self, bars: list[tuple[str, float]], label: str, palette=None, zero_text: str = "no change") -> None:
        """Draw the bars in the given order, top to bottom; every bar carries its name and value (``zero_text`` for 0)."""
        plot = self.widget.getPlotItem()
        plot.clear()
        apply_plot_theme(self.widget, palette or self.widget.palette())
        c = theme.colors(palette or self.widget.palette())
        if not bars:
            return
        values = np.array([v for _, v in bars], dtype=float)
        y = np.arange(len(bars))[::-1].astype(float)
        plot.addItem(pg.BarGraphItem(x0=0, y=y, height=0.6, width=values, brush=c.accent, pen=None))
        top = float(values.max()) or 1.0
        for (name, value), yy in zip(bars, y):
            text = pg.TextItem(f"{name}: {fmt(value) if value else zero_text}", color=c.text, anchor=(0, 0.5))
            text.setPos(value + top * 0.01, yy)
            plot.addItem(text)
        plot.getAxis("left").setTicks([[]])
        plot.setLabel("bottom", label)
        plot.setXRange(0, top * 1.9, padding=0)
        plot.setYRange(-0.6, len(bars) - 0.4, padding=0)
        self.widget.setMinimumHeight(40 + 26 * len(bars))
