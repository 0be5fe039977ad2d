"""The top-5 classes' probability pass by pass, so the eye sees whether the passes move."""

from __future__ import annotations

from functools import lru_cache

import html

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QCheckBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from vggcompare.core.analysis.result import RunResult
from vggcompare.render import theme
from vggcompare.render.numbers import nice_step
from vggcompare.render.plots.plot_panel import PlotPanel

MAX_SYMBOLS = 60  # more passes than this: lines only


def _legend_icon(color, style, symbol: str, width: int = 34) -> QPixmap:
    """A short line with its marker, as drawn in the plot (drawn once per colour and style)."""
    return _drawn_icon(QColor(color).name(), style, symbol, width)


@lru_cache(maxsize=32)
def _drawn_icon(color_name: str, style, symbol: str, width: int) -> QPixmap:
    color = QColor(color_name)
    pixmap = QPixmap(width, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(_pen(color, 2, style))
    p.drawLine(1, 7, width - 1, 7)
    p.setPen(_pen(color, 1.5))
    p.setBrush(color)
    centre = QPointF(width / 2, 7)
    if symbol == "s":
        p.drawRect(int(centre.x()) - 4, 3, 8, 8)
    elif symbol in ("t", "d"):
        pts = [QPointF(centre.x(), 2), QPointF(centre.x() + 5, 12), QPointF(centre.x() - 5, 12)] if symbol == "t" else \
              [QPointF(centre.x(), 1), QPointF(centre.x() + 5, 7), QPointF(centre.x(), 13), QPointF(centre.x() - 5, 7)]
        p.drawPolygon(pts)
    elif symbol == "x":
        p.drawLine(QPointF(centre.x() - 4, 3), QPointF(centre.x() + 4, 11))
        p.drawLine(QPointF(centre.x() - 4, 11), QPointF(centre.x() + 4, 3))
    else:
        p.drawEllipse(centre, 4, 4)
    p.end()
    return pixmap


def _pen(color: QColor, width: float, style=Qt.PenStyle.SolidLine) -> QPen:
    """A cosmetic pen, as pyqtgraph's ``mkPen`` makes them."""
    pen = QPen(color, width, style)
    pen.setCosmetic(True)
    return pen


class PassesPlot(PlotPanel):
    """Five lines, one per top-5 class, in the accent colour told apart by dash pattern and marker."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: RunResult | None = None
        self.title = QLabel("<b>Top-5 classes, pass by pass</b>")
        self.log = QCheckBox("Log scale")
        self.log.setToolTip("A logarithmic vertical axis: small probabilities move visibly next to large ones.")
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.log)
        self.curves: list = []  # five lines, once the plot is built
        self.legend = QGridLayout()
        self.legend.setHorizontalSpacing(6)
        self.legend.setVerticalSpacing(1)
        self.legend_rows = []
        for i in range(5):
            icon, text = QLabel(), QLabel()
            text.setWordWrap(True)
            self.legend.addWidget(icon, i // 2, (i % 2) * 2)
            self.legend.addWidget(text, i // 2, (i % 2) * 2 + 1)
            self.legend_rows.append((icon, text))
        self.legend.setColumnStretch(1, 1)
        self.legend.setColumnStretch(3, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)
        layout.addLayout(self.legend)
        self.log.toggled.connect(lambda _b: self.redraw())
        self.refresh_theme()
        self.clear()

    def build_plot(self, widget) -> None:
        """Axes named, long runs clipped and downsampled, five empty lines."""
        self.plot.setLabel("bottom", "pass")
        self.plot.setLabel("left", "probability")
        self.plot.setClipToView(True)
        self.plot.setDownsampling(auto=True, mode="peak")
        self.curves = [self.plot.plot() for _ in range(5)]

    def clear(self) -> None:
        """Empty plot before the first run."""
        self.result = None
        self.show_message("Each top-5 class's probability in every pass appears here after a run.")
        for curve in self.curves:
            curve.setData([], [])
        for icon, text in self.legend_rows:
            icon.clear()
            text.setText("")

    def show_result(self, result: RunResult) -> None:
        """Plot the top-5 classes' per-pass probabilities of ``result``."""
        self.result = result
        self.redraw()

    def redraw(self) -> None:
        """Redraw for the current scale."""
        r = self.result
        if r is None:
            return
        self.show_plot()
        import pyqtgraph as pg

        c = theme.colors(self.palette())
        top = r.statistics.top5
        n = r.probabilities.shape[0]
        x = np.arange(1, n + 1, dtype=np.float64)
        log = self.log.isChecked()
        self.plot.setLogMode(y=log)
        symbols = n <= MAX_SYMBOLS
        for i, curve in enumerate(self.curves):
            icon, text = self.legend_rows[i]
            if i >= len(top):
                curve.setData([], [])
                icon.clear()
                text.setText("")
                continue
            style, symbol = theme.SERIES_STYLES[i]
            y = r.probabilities[:, top[i].index].astype(np.float64)
            if log:
                y = np.where(y > 0, y, np.nan)
            curve.setData(x, y, pen=pg.mkPen(c.accent, width=2.5 if i == 0 else 1.6, style=style),
                          symbol=symbol if symbols else None, symbolSize=7, symbolBrush=c.accent, symbolPen=pg.mkPen(c.accent),
                          connect="finite")
            icon.setPixmap(_legend_icon(c.accent, style, symbol))
            text.setText(f"{i + 1} {html.escape(theme.short_label(top[i].label, 28))}")
            text.setToolTip(top[i].label)
        step = max(1.0, nice_step(n / 6))
        self.plot.getAxis("bottom").setTickSpacing(step, step)  # whole pass numbers only
        self.plot.setXRange(0.5, n + 0.5, padding=0.02)
        self._set_y_range(r.probabilities[:, [t.index for t in top]], log)

    def _set_y_range(self, shown: np.ndarray, log: bool) -> None:
        """Fit the vertical axis to the lines, set once here (pyqtgraph's auto-range would re-fit it while
        painting, and each re-fit paints the plot again: five paints in a row measured at a result)."""
        values = shown[np.isfinite(shown) & (shown > 0)] if log else shown[np.isfinite(shown)]
        if values.size == 0:
            return
        lo, hi = float(values.min()), float(values.max())
        if log:
            lo, hi = np.log10(lo), np.log10(hi)
        span = hi - lo if hi > lo else max(abs(hi) * 0.01, 1e-3 if log else 1e-9)
        self.plot.setYRange(lo - 0.08 * span, hi + 0.08 * span, padding=0)

    def refresh_theme(self) -> None:
        """Recolour for the current palette."""
        self.theme_plot()
        self.redraw()
