"""The top-5 classes: full label, a bar of the mean probability, ± std error bar and min–max."""

from __future__ import annotations

import html

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from vggcompare.core.analysis.stats import ClassStat, PassStatistics
from vggcompare.render import theme
from vggcompare.render.numbers import fmt, n_passes, nice_ceiling, tick_labels

ROW_HEIGHT = 34


class ProbabilityBar(QWidget):
    """One class: mean bar, ± std error bar (with caps), and a thin min–max line beneath."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stat: ClassStat | None = None
        self.scale = 1.0
        self.setMinimumSize(140, ROW_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_stat(self, stat: ClassStat | None, scale: float) -> None:
        """Show ``stat`` on an axis from 0 to ``scale``."""
        self.stat, self.scale = stat, scale
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        """Room for a readable bar."""
        return QSize(260, ROW_HEIGHT)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt naming
        """Draw the bar, error bar and range in the palette's colours."""
        c = theme.colors(self.palette())
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w = self.width() - 8
        mid = 13.0

        def x(v: float) -> float:
            return 4 + max(0.0, min(1.0, v / self.scale)) * w

        p.fillRect(QRectF(4, mid - 6, w, 12), c.track)
        if self.stat is None:
            p.end()
            return
        s = self.stat
        p.fillRect(QRectF(4, mid - 8, max(1.0, x(s.mean) - 4), 16), c.accent)
        if s.std > 0:
            p.setPen(QPen(c.text, 2))
            lo, hi = x(s.mean - s.std), x(s.mean + s.std)
            p.drawLine(QPointF(lo, mid), QPointF(hi, mid))
            p.drawLine(QPointF(lo, mid - 5), QPointF(lo, mid + 5))
            p.drawLine(QPointF(hi, mid - 5), QPointF(hi, mid + 5))
        y = mid + 14
        p.setPen(QPen(c.text, 1.2))
        lo, hi = x(s.min), x(s.max)
        p.drawLine(QPointF(lo, y), QPointF(hi, y))
        p.drawLine(QPointF(lo, y - 3), QPointF(lo, y + 3))
        p.drawLine(QPointF(hi, y - 3), QPointF(hi, y + 3))
        p.end()


class ScaleAxis(QWidget):
    """The shared probability axis under the bars: 0, half and full scale."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scale = 1.0
        self.setMinimumHeight(self.fontMetrics().height() + 6)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_scale(self, scale: float) -> None:
        """Label the axis from 0 to ``scale``."""
        self.scale = scale
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt naming
        """Ticks and labels at 0, scale/2 and scale."""
        c = theme.colors(self.palette())
        p = QPainter(self)
        p.setPen(QPen(c.muted, 1))
        w = self.width() - 8
        p.drawLine(4, 1, 4 + w, 1)
        values = [0.0, self.scale / 2, self.scale]
        labels = tick_labels(values, self.scale / 2)
        fm = self.fontMetrics()
        for i, (v, text) in enumerate(zip(values, labels)):
            xpos = 4 + w * v / self.scale
            p.drawLine(int(xpos), 1, int(xpos), 4)
            tw = fm.horizontalAdvance(text)
            left = xpos - tw / 2 if i == 1 else (xpos if i == 0 else xpos - tw)
            p.drawText(QPointF(left, 4 + fm.ascent()), text)
        p.end()


class Top5Panel(QWidget):
    """Five rows: rank, class label (wrapped, never cut), bar, and the numbers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self.title = QLabel()
        grid.addWidget(self.title, 0, 0, 1, 4)
        self.ranks, self.names, self.bars, self.numbers = [], [], [], []
        for i in range(5):
            rank, name, bar, numbers = QLabel(f"{i + 1}"), QLabel(), ProbabilityBar(), QLabel()
            rank.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            name.setWordWrap(True)
            name.setMinimumWidth(110)
            name.setMaximumWidth(230)
            name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            numbers.setTextFormat(Qt.TextFormat.RichText)
            for col, w in enumerate((rank, name, bar, numbers)):
                grid.addWidget(w, i + 1, col)
            self.ranks.append(rank), self.names.append(name), self.bars.append(bar), self.numbers.append(numbers)
        self.axis = ScaleAxis()
        grid.addWidget(self.axis, 6, 2)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        grid.addWidget(self.legend, 7, 0, 1, 4)
        grid.setColumnStretch(2, 1)
        self.refresh_theme()
        self.clear()

    def clear(self) -> None:
        """Show empty rows before the first run."""
        self.title.setText("<b>Top 5 classes</b> (mean probability over the passes)")
        for i in range(5):
            self.names[i].setText("—")
            self.bars[i].set_stat(None, 1.0)
            self.numbers[i].setText("")
            self.rows_tooltip(i, "")
        self.axis.set_scale(1.0)
        self.legend.setText("")

    def show_statistics(self, stats: PassStatistics, largest: float | None = None) -> None:
        """Fill the rows from the core's statistics; ``largest`` shares one scale with another panel."""
        top = list(stats.top5)
        scale = nice_ceiling(largest if largest is not None else max((s.max for s in top), default=1.0))
        self.title.setText(f"<b>Top {len(top)} classes</b> (mean probability over {n_passes(stats.passes)})")
        for i in range(5):
            s = top[i] if i < len(top) else None
            self.names[i].setText(html.escape(s.label) if s else "—")
            self.bars[i].set_stat(s, scale)
            if s is None:
                self.numbers[i].setText("")
                self.rows_tooltip(i, "")
                continue
            spread = f"± {fmt(s.std)}" if s.std > 0 else "± 0"
            self.numbers[i].setText(f"<b>{fmt(s.mean)}</b> {spread}<br><span style='color:{theme.colors(self.palette()).css('muted')}'>"
                                    f"{fmt(s.min)} – {fmt(s.max)}</span>")
            self.rows_tooltip(i, f"{s.label} (class {s.index})\nmean {s.mean:.6g}, std {s.std:.3g}\n"
                                 f"min {s.min:.6g}, max {s.max:.6g} over {n_passes(stats.passes)}")
        self.axis.set_scale(scale)
        self.legend.setText(f"Bar: mean. Thick line with caps: ± one standard deviation. "
                            f"Thin line below: lowest to highest of the {n_passes(stats.passes)}.")

    def rows_tooltip(self, i: int, text: str) -> None:
        """Set the same tooltip on every part of row ``i``."""
        for w in (self.ranks[i], self.names[i], self.bars[i], self.numbers[i]):
            w.setToolTip(text)

    def refresh_theme(self) -> None:
        """Recolour the rank numbers and the legend."""
        c = theme.colors(self.palette())
        for rank in self.ranks:
            rank.setStyleSheet(f"color: {c.css('accent')}; font-weight: bold;")
        self.legend.setStyleSheet(f"color: {c.css('muted')};")
        for bar in self.bars:
            bar.update()
        self.axis.update()
