"""'Through the network': the relative difference of two runs at every layer, in order, on a log scale.

x is the layer's position in the network; y its relative L2 difference ||a − b|| / ||a|| (core.analysis.layers).
BatchNorm, convolution and dense layers carry their own marker; the float32 round-off bound of each layer is a
dashed line, and the layer where the difference enters (the first above the bound) is labelled. Bit-identical
layers sit on the bottom edge, marked "0". Hovering a point shows the layer's name and numbers (in the window).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from vggcompare.core.analysis.layers import LayerComparison
from vggcompare.render import theme
from vggcompare.render.numbers import fmt
from vggcompare.render.plots.plotting import apply_plot_theme, make_plot_widget

# marker per kind of layer: BatchNorm a triangle, convolutions a square, dense layers a diamond, the rest a dot
MARKERS = {"batchnorm": ("t1", 11), "conv": ("s", 8), "dense": ("d", 11), "": ("o", 5)}
KIND_WORDS = {"batchnorm": "BatchNorm", "conv": "convolution", "dense": "dense"}


def floor_of(comparison: LayerComparison) -> float:
    """Where 0 (a bit-identical layer) is drawn: a decade below the smallest difference or bound shown."""
    values = [r.relative for r in comparison.rows if r.relative > 0] + [r.bound for r in comparison.rows]
    return 10 ** math.floor(math.log10(min(values)) - 1) if values else 1e-12


def hover_text(row) -> str:
    """The text shown on hover for one layer's point."""
    kind = f"{row.kind}" + (f" ({KIND_WORDS[row.mark]})" if row.mark else "")
    state = "bit-identical" if row.identical else (f"relative difference {fmt(row.relative)}, largest absolute "
                                                   f"{fmt(row.max_abs)}, cosine {row.cosine:.9f}")
    return f"{row.index}: {row.name} — {kind}\n{state}\nround-off bound {fmt(row.bound)}"


class LayerPlot:
    """Owns a plot widget; ``show(comparison)`` draws the relative difference through the network."""

    def __init__(self, min_height: int = 220) -> None:
        self.widget = make_plot_widget(min_height)
        self.widget.getPlotItem().showGrid(x=False, y=True, alpha=0.25)
        self.comparison: LayerComparison | None = None
        self.points: list[pg.ScatterPlotItem] = []
        self.label: pg.TextItem | None = None

    def show(self, comparison: LayerComparison, palette=None, title: str = "") -> None:
        """Draw ``comparison``: line and markers of the relative difference, the bound, the 'enters at' label."""
        self.comparison = comparison
        plot = self.widget.getPlotItem()
        plot.clear()
        self.points, self.label = [], None
        palette = palette or self.widget.palette()
        apply_plot_theme(self.widget, palette)
        c = theme.colors(palette)
        rows = comparison.rows
        if not rows:
            return
        floor = floor_of(comparison)
        x = np.arange(len(rows), dtype=float)
        y = np.array([max(r.relative, floor) for r in rows], dtype=float)
        bound = np.array([r.bound for r in rows], dtype=float)
        plot.setLogMode(x=False, y=True)
        if plot.legend is None:
            plot.addLegend(offset=(-10, -10), labelTextColor=c.text, brush=pg.mkBrush(c.base), pen=pg.mkPen(c.track))
        else:
            plot.legend.clear()
        plot.addItem(pg.PlotDataItem(x, y, pen=pg.mkPen(c.accent, width=2), name="relative difference, B against A"))
        plot.addItem(pg.PlotDataItem(x, bound, pen=pg.mkPen(c.muted, width=1.5, style=Qt.PenStyle.DashLine),
                                     name="float32 round-off bound"))
        for mark, (symbol, size) in MARKERS.items():
            chosen = [i for i, r in enumerate(rows) if r.mark == mark]
            if not chosen:
                continue
            brush = c.text if mark else c.accent
            item = pg.ScatterPlotItem(x=x[chosen], y=np.log10(y[chosen]), symbol=symbol, size=size, brush=pg.mkBrush(brush),
                                      pen=pg.mkPen(c.base, width=0.5), hoverable=True,
                                      tip=None, data=[hover_text(rows[i]) for i in chosen])
            item.sigHovered.connect(self._hovered)
            plot.addItem(item)
            self.points.append(item)
        identical = [i for i, r in enumerate(rows) if r.identical]
        if identical:  # the floor is not a measured value: say what the points on it mean
            zero = pg.TextItem("0: bit-identical", color=c.muted, anchor=(0, 1))
            zero.setPos(identical[0] + 0.5, math.log10(floor))
            plot.addItem(zero)
        enters = comparison.enters_at
        if enters is not None:
            plot.addItem(pg.InfiniteLine(pos=enters.index, angle=90, pen=pg.mkPen(c.accent, width=1, style=Qt.PenStyle.DotLine)))
            self.label = pg.TextItem(f"enters at {enters.name}\n({enters.kind}, {fmt(enters.relative)})", color=c.text,
                                     anchor=(0 if enters.index < len(rows) * 0.7 else 1, 0),  # below the point: room there
                                     fill=pg.mkBrush(c.base), border=pg.mkPen(c.accent))
            self.label.setPos(enters.index, math.log10(max(enters.relative, floor)))
            plot.addItem(self.label)
        unit = "block" if comparison.grouped else "layer"
        plot.setLabel("bottom", f"{unit} in order (0 = first; ▲ BatchNorm, ■ convolution, ◆ dense)")
        plot.setLabel("left", "relative L2 difference" + (" (0 drawn at the bottom)" if any(r.identical for r in rows) else ""))
        plot.setXRange(-0.5, len(rows) - 0.5, padding=0.01)
        plot.setYRange(math.log10(floor) - 0.25, math.log10(max(float(y.max()), float(bound.max()))) + 0.3, padding=0)
        if title:
            plot.setTitle(title, color=c.text)

    def _hovered(self, item, points, _event) -> None:
        """Show the hovered layer's name and numbers as the widget's tooltip."""
        self.widget.setToolTip(str(points[0].data()) if len(points) else "")
