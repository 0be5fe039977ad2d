"""Per-class variance (or std) over the passes, with the top-5 classes highlighted and labelled."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from vggcompare.core.analysis.result import RunResult
from vggcompare.render import theme
from vggcompare.render.numbers import fmt, nice_step
from vggcompare.render.plots.plot_panel import PlotPanel


class VariancePlot(PlotPanel):
    """Every class's spread over the N passes; says so in words when every variance is exactly 0."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: RunResult | None = None
        self.title = QLabel("<b>Spread of every class over the passes</b>")
        self.measure = QComboBox()
        self.measure.addItem("Variance", "variance")
        self.measure.addItem("Standard deviation", "std")
        self.measure.setToolTip("Plot the variance of each class's probability over the passes, or its square root, the standard deviation.")
        self.log = QCheckBox("Log scale")
        self.log.setToolTip("A logarithmic vertical axis shows tiny and large spreads together. Classes with exactly 0 are left out.")
        self.sort = QCheckBox("Sort by spread")
        self.sort.setToolTip("Order the classes from the largest spread to the smallest instead of by class number.")
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        for w in (self.measure, self.log, self.sort):
            header.addWidget(w)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.note)
        for signal in (self.measure.currentIndexChanged, self.log.toggled, self.sort.toggled):
            signal.connect(lambda *_a: self.redraw())
        self.refresh_theme()
        self.clear()

    def build_plot(self, widget) -> None:
        """The class curve, the grey and blue points and the top-5 labels."""
        import pyqtgraph as pg

        from vggcompare.render.plots.plot_labels import PointLabels

        self.curve = pg.PlotDataItem()
        self.others = pg.ScatterPlotItem(size=4, hoverable=True, tip=self._tip, hoverSize=9)
        self.top = pg.ScatterPlotItem(size=10, hoverable=True, tip=self._tip, hoverSize=13)
        for item in (self.curve, self.others, self.top):
            self.plot.addItem(item)
        self.labels = PointLabels(self.plot, theme.scaled_font(self.font(), 1.0, bold=True))

    def clear(self) -> None:
        """Show the empty state before the first run."""
        self.result = None
        self.show_message("The spread of every class appears here after a run.", big=False)
        self.note.setText("")

    def show_result(self, result: RunResult) -> None:
        """Plot the core's per-class variance or std for ``result``."""
        self.result = result
        self.redraw()

    def redraw(self) -> None:
        """Redraw for the current measure, scale and order."""
        r = self.result
        if r is None:
            return
        s = r.statistics
        if s.passes == 1:
            self.show_message("Only 1 pass was run, so there is no spread to show.", big=True)
            self.note.setText("Run at least 2 passes to see how the classes vary.")
            return
        if s.all_bit_identical:
            self.show_message(f"All {s.passes} passes were bit-identical: every variance is exactly 0", big=True)
            self.note.setText("Nothing to plot: no class's probability changed in any digit from one pass to the next.")
            return
        self.show_plot()
        import pyqtgraph as pg

        use_std = self.measure.currentData() == "std"
        values = np.asarray(s.std if use_std else s.variance, dtype=np.float64)
        name = "standard deviation" if use_std else "variance"
        order = np.argsort(-values, kind="stable") if self.sort.isChecked() else np.arange(values.size)
        y = values[order]
        keep = y > 0 if self.log.isChecked() else np.ones(y.size, dtype=bool)
        x = np.arange(y.size, dtype=np.float64)
        shown_y = np.log10(y[keep]) if self.log.isChecked() else y
        shown_x, classes = x[keep], order[keep]
        top_index = [c.index for c in s.top5]
        is_top = np.isin(classes, top_index)
        c = theme.colors(self.palette())
        self.plot.getAxis("left").setLogMode(False, self.log.isChecked())
        self.curve.setData(shown_x, shown_y, pen=pg.mkPen(c.muted, width=1) if self.sort.isChecked() else None)
        dot = 4 if values.size > 200 else 7
        self.others.setData(shown_x[~is_top], shown_y[~is_top], data=classes[~is_top], brush=pg.mkBrush(c.muted), pen=None, size=dot)
        self.top.setData(shown_x[is_top], shown_y[is_top], data=classes[is_top], brush=pg.mkBrush(c.accent), pen=pg.mkPen(c.base, width=1))
        rank = {idx: i + 1 for i, idx in enumerate(top_index)}
        entries = [(f"{rank[int(k)]} {theme.short_label(r.labels[int(k)])}", float(px), float(py))
                   for k, px, py in zip(classes[is_top], shown_x[is_top], shown_y[is_top])]
        self.plot.setLabel("left", f"{name} of probability")
        self.plot.setLabel("bottom", "classes, largest spread first" if self.sort.isChecked() else f"class number (0 – {values.size - 1})")
        self._set_range(shown_x, shown_y, values.size)
        self.labels.set_labels(sorted(entries, key=lambda e: -e[2]), c.accent, c.base)
        dropped = int((~keep).sum())
        note = f"Blue: the top-5 classes, numbered as in the top-5 list. Grey: the other {values.size - len(top_index)} classes. Hover a point for its name."
        if dropped:
            note += f" {dropped} classes with a {name} of exactly 0 cannot be shown on a log scale."
        self.note.setText(note)

    def refresh_theme(self) -> None:
        """Recolour the plot for the current palette."""
        self.theme_plot()
        self.note.setStyleSheet(f"color: {theme.colors(self.palette()).css('muted')};")
        self.redraw()

    def _set_range(self, x: np.ndarray, y: np.ndarray, count: int) -> None:
        if y.size == 0:
            return
        lo, hi = float(y.min()), float(y.max())
        if self.log.isChecked():
            span = max(hi - lo, 1.0)
            self.plot.setYRange(lo - 0.05 * span, hi + 0.18 * span, padding=0)
        else:
            self.plot.setYRange(0, hi * 1.18 if hi > 0 else 1, padding=0)
        step = max(1.0, nice_step(count / 8))
        self.plot.getAxis("bottom").setTickSpacing(step, step)  # whole class numbers only
        self.plot.setXRange(-0.02 * count, count * 1.02, padding=0)

    def _tip(self, x: float, y: float, data) -> str:
        r = self.result
        if r is None or data is None:
            return ""
        s, k = r.statistics, int(data)
        return (f"{r.labels[k]} (class {k})\nmean probability {fmt(float(s.mean[k]))}\n"
                f"std {fmt(float(s.std[k]))}, variance {fmt(float(s.variance[k]))}")
