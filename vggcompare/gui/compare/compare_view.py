"""Two runs side by side: verdict, top-5 and spread on shared axes, the difference, and the settings."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QGridLayout, QHeaderView, QLabel, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)
from PySide6.QtCore import Qt

from vggcompare.core.analysis.compare import RunComparison, compare_results
from vggcompare.core.config import flatten
from vggcompare.core.analysis.result import RunResult
from vggcompare.gui import theme
from vggcompare.gui.results.numbers import fmt
from vggcompare.gui.results.plotting import apply_plot_theme, make_plot_widget
from vggcompare.gui.results.top5 import Top5Panel
from vggcompare.gui.results.variance_plot import VariancePlot
from vggcompare.gui.results.verdict_banner import VerdictBanner


class CompareView(QWidget):
    """Compare run A with run B; every number comes from core.compare."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comparison: RunComparison | None = None
        self.banner = VerdictBanner()
        self.names = [QLabel(), QLabel()]
        self.top5 = [Top5Panel(), Top5Panel()]
        self.spread = [VariancePlot(), VariancePlot()]
        for plot in self.spread:  # narrower headers, so A and B fit side by side
            plot.title.setText("<b>Spread over the passes</b>")
            plot.sort.setVisible(False)
        grid = QGridLayout()
        for col in range(2):
            self.names[col].setWordWrap(True)
            grid.addWidget(self.names[col], 0, col)
            grid.addWidget(self.top5[col], 1, col)
            grid.addWidget(self.spread[col], 2, col)
        self.diff_title = QLabel("<b>Difference of mean probabilities, B − A, per class</b>")
        self.diff_plot = make_plot_widget(170)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["setting or environment", "A", "B"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setToolTip("Settings that differ between the two runs are highlighted.")
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.addLayout(grid)
        top_layout.addWidget(self.diff_title)
        top_layout.addWidget(self.diff_plot)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self.banner.show_message("Compare two runs", "Select two runs in the history and press Compare.")

    def show_pair(self, a: RunResult, b: RunResult, a_name: str = "A", b_name: str = "B") -> RunComparison:
        """Show runs A and B and return the core's comparison (its verdict uses the given names)."""
        cmp = compare_results(a, b, a_name, b_name)
        self.comparison = cmp
        n = cmp.numbers
        head = (f"{b_name[:1].upper()}{b_name[1:]} reproduces {a_name} bit for bit" if n.bit_identical
                else f"Largest difference {fmt(n.max_abs_difference)}")
        self.banner.show_message(head, cmp.verdict)
        scale = max(c.max for r in (a, b) for c in r.statistics.top5)
        for col, (tag, r) in enumerate((("A", a), ("B", b))):
            self.names[col].setText(f"<b>{tag}:</b> {r.name or r.config.summary()}<br><small>{r.environment.get('model', '')}</small>")
            self.top5[col].show_statistics(r.statistics, largest=scale)
            self.spread[col].show_result(r)
        self._share_axes(scale)
        self._draw_difference(a, cmp)
        self._fill_table(a, b, set(n.config_differences), cmp.environment_differences)
        return cmp

    def _share_axes(self, _scale: float) -> None:
        """Give both spread plots the same vertical range, so their heights compare directly."""
        plots = [s.plot for s in self.spread]
        if any(s.stack.currentIndex() != 0 for s in self.spread) or any(s.log.isChecked() for s in self.spread):
            return
        top = max(p.viewRange()[1][1] for p in plots)
        for p in plots:
            p.setYRange(0, top, padding=0)

    def _draw_difference(self, a: RunResult, cmp: RunComparison) -> None:
        plot = self.diff_plot.getPlotItem()
        plot.clear()
        diff = cmp.numbers.mean_difference
        c = theme.colors()
        apply_plot_theme(self.diff_plot, self.palette())
        x = np.arange(len(diff))
        plot.addItem(pg.BarGraphItem(x=x, height=diff, width=1.0, brush=c.muted, pen=None))
        if not np.any(diff):
            text = pg.TextItem("No difference: the mean probabilities are identical.", color=c.text, anchor=(0.5, 0.5))
            plot.addItem(text)
            plot.setYRange(-1, 1)
            text.setPos(len(diff) / 2, 0)
            return
        worst = np.argsort(-np.abs(diff))[:5]
        plot.addItem(pg.ScatterPlotItem(x=worst, y=diff[worst], size=9, brush=c.accent, pen=None))
        for i in worst:
            label = pg.TextItem(f"{a.labels[i]} {fmt(float(diff[i]))}", color=c.accent, anchor=(0.5, 1.0 if diff[i] >= 0 else 0.0))
            label.setPos(float(i), float(diff[i]))
            plot.addItem(label)
        lim = float(np.abs(diff).max()) * 1.4
        plot.setYRange(-lim, lim, padding=0)
        plot.setXRange(0, len(diff), padding=0.01)

    def _fill_table(self, a: RunResult, b: RunResult, differing: set[str], environment: tuple[str, ...] = ()) -> None:
        """Settings, the differing ones first, then the environment fields that differ (CPU, kernels, backend…)."""
        fa, fb = flatten(a.config.to_dict()), flatten(b.config.to_dict())
        for key in environment:  # beside the settings, marked as the environment's
            fa[f"environment: {key}"], fb[f"environment: {key}"] = (_env_text(r.environment.get(key)) for r in (a, b))
        differing = differing | {f"environment: {key}" for key in environment}
        keys = sorted(fa.keys() | fb.keys(), key=lambda k: (k not in differing, k.startswith("environment"), k))
        self.table.setRowCount(len(keys))
        bold = QFont(self.font())
        bold.setBold(True)
        accent = theme.colors().banner
        for row, key in enumerate(keys):
            cells = [key, str(fa.get(key, "")), str(fb.get(key, ""))]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if key in differing:
                    item.setFont(bold)
                    item.setBackground(QBrush(accent))
                self.table.setItem(row, col, item)


def _env_text(value) -> str:
    if value is None:
        return "—"
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)
