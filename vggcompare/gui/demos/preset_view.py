"""A preset's outcome: its explanation, the model used, the table or grid, and the headline."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from vggcompare.core.studies.presets.base import PresetOutcome
from vggcompare.render.plots.bars import BarsPlot
from vggcompare.gui.common.verdict_banner import VerdictBanner


class PresetView(QWidget):
    """Shows what a preset measured, in the words and numbers the core produced."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome: PresetOutcome | None = None
        self.banner = VerdictBanner()
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.model = QLabel()
        self.table = QTableWidget(0, 0)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.setMinimumHeight(160)
        self.explanation.setMinimumWidth(200)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.explanation)
        layout.addWidget(self.model)
        layout.addWidget(self.table, 1)
        self.bars = BarsPlot()
        self.bars.widget.setVisible(False)
        layout.addWidget(self.bars.widget)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.details)
        self.banner.show_message("Demonstrations", "Choose a demonstration from the Demos menu.")

    def show_outcome(self, outcome: PresetOutcome) -> None:
        """Fill the view from a finished preset."""
        self.outcome = outcome
        self.banner.show_message(outcome.title, outcome.headline)
        self.explanation.setText(outcome.explanation)
        self.model.setText(f"<b>Model used:</b> {outcome.model}")
        self.table.clear()
        self.table.setColumnCount(len(outcome.columns))
        self.table.setRowCount(len(outcome.rows))
        self.table.setHorizontalHeaderLabels(outcome.columns)
        for r, row in enumerate(outcome.rows):
            for c, value in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(str(value)))
        self.table.resizeRowsToContents()
        rows_height = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setMinimumHeight(min(600, self.table.horizontalHeader().height() + rows_height + 6))
        self.bars.widget.setVisible(bool(outcome.bars))
        self.bars.show(outcome.bars, outcome.bars_label, self.palette())
        lines = [f"<i>Note: {html.escape(n)}</i>" for n in outcome.notes]
        lines += [f"<b>{html.escape(a)} vs {html.escape(b)}:</b> {html.escape(c.verdict)}" for a, b, c in outcome.comparisons]
        self.details.setText("<br>".join(lines))
