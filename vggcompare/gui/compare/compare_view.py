"""Two runs side by side: verdict, top-5 and spread on shared axes, the difference, and the settings."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QGridLayout, QHeaderView, QLabel, QSplitter, QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)
from PySide6.QtCore import Qt

from vggcompare.core.analysis.compare import RunComparison
from vggcompare.core.config import flatten
from vggcompare.core.analysis.result import RunResult
from vggcompare.render import theme
from vggcompare.render.plots.layer_plot import LayerPlot
from vggcompare.render.plots.maps_compare import MapsCompare
from vggcompare.render.numbers import fmt
from vggcompare.render.plots.difference import DifferencePlot
from vggcompare.render.plots.top5 import Top5Panel
from vggcompare.render.plots.variance_plot import VariancePlot
from vggcompare.gui.common.verdict_banner import VerdictBanner


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
        self.difference = DifferencePlot(170)
        self.diff_plot = self.difference.widget
        self.diff_message = QLabel("The difference of every class between the two runs appears here once you compare them.")
        self.diff_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.diff_message.setWordWrap(True)
        self.diff_message.setMinimumHeight(170)
        c = theme.colors(self.palette())
        self.diff_message.setStyleSheet(f"background: {c.css('base')}; border: 1px solid {c.css('track')}; padding: 12px;")
        self.diff_stack = QStackedWidget()
        self.diff_stack.addWidget(self.diff_plot)
        self.diff_stack.addWidget(self.diff_message)
        self.diff_stack.setCurrentWidget(self.diff_message)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["setting or environment", "A", "B"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setToolTip("Settings that differ between the two runs are highlighted.")
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.addLayout(grid)
        top_layout.addWidget(self.diff_title)
        top_layout.addWidget(self.diff_stack)
        self.maps = MapsCompare()
        top_layout.addWidget(self.maps)
        self.layers_title = QLabel("<b>Through the network: relative difference of B against A at every layer</b>")
        self.layers = LayerPlot(200)
        self.layers_sentence = QLabel()
        self.layers_sentence.setWordWrap(True)
        for widget in (self.layers_title, self.layers.widget, self.layers_sentence):
            top_layout.addWidget(widget)
            widget.hide()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self.banner.show_message("Compare two runs", "Tick two runs in the history above and press Compare, "
                                                     "or use Compare → Repeat to re-run the shown run and compare.")

    def show_pair(self, a: RunResult, b: RunResult, cmp: RunComparison, a_name: str = "A", b_name: str = "B") -> None:
        """Show runs A and B with the core's comparison of them (computed off the GUI thread)."""
        self.comparison = cmp
        n = cmp.numbers
        head = (f"{b_name[:1].upper()}{b_name[1:]} reproduces {a_name} bit for bit" if n.bit_identical
                else f"Largest difference {fmt(n.max_abs_difference)}")
        self.banner.show_message(head, cmp.verdict)
        scale = max(c.max for r in (a, b) for c in r.statistics.top5)
        for col, (tag, r) in enumerate((("A", a), ("B", b))):
            self.names[col].setText(f"<b>{tag}:</b> {r.name or r.config.summary()}<br><small>{r.environment.model or ''}</small>")
            self.top5[col].show_statistics(r.statistics, largest=scale)
            self.spread[col].show_result(r)
        self._share_axes(scale)
        self._draw_difference(a, cmp)
        self.maps.show_maps(getattr(cmp, "maps", None))
        self.show_layers(getattr(cmp, "layers", None))
        self._fill_table(a, b, set(n.config_differences), cmp.environment_differences)

    def show_layers(self, comparison) -> None:
        """Show the layer comparison (core.analysis.layers.LayerComparison) of the shown pair, or hide it (None)."""
        for widget in (self.layers_title, self.layers.widget, self.layers_sentence):
            widget.setVisible(comparison is not None)
        if comparison is None:
            return
        unit = "block" if comparison.grouped else "layer"
        self.layers_title.setText(f"<b>Through the network: relative difference of B against A at every {unit}</b>")
        self.layers.show(comparison, self.palette())
        self.layers_sentence.setText(comparison.sentence())

    def _share_axes(self, _scale: float) -> None:
        """Give both spread plots the same vertical range, so their heights compare directly."""
        if any(s.stack.currentWidget() is not s.plot_widget or s.log.isChecked() for s in self.spread):
            return
        plots = [s.plot for s in self.spread]
        top = max(p.viewRange()[1][1] for p in plots)
        for p in plots:
            p.setYRange(0, top, padding=0)

    def _draw_difference(self, a: RunResult, cmp: RunComparison) -> None:
        self.difference.show(a.labels, cmp, self.palette())
        self.diff_stack.setCurrentWidget(self.diff_plot)

    def _fill_table(self, a: RunResult, b: RunResult, differing: set[str], environment: tuple[str, ...] = ()) -> None:
        """Settings, the differing ones first, then the environment fields that differ (CPU, kernels, backend…)."""
        fa, fb = flatten(a.config.to_dict()), flatten(b.config.to_dict())
        for key in environment:  # beside the settings, marked as the environment's
            fa[f"environment: {key}"], fb[f"environment: {key}"] = (_env_text(r.environment.value(key)) for r in (a, b))
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
