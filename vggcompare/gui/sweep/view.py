"""The "Many images" tab: a folder × a demonstration's variants, with the per-variant table and chart filling in.

The view talks only to its :class:`~vggcompare.gui.session.sweep_session.SweepSession`. Every number it shows
comes from the sweep's summary and rows.csv, written by the core.
"""

from __future__ import annotations

import os
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.errors import ConfigError
from vggcompare.core.resources import sweep_samples_folder
from vggcompare.gui.common.dialogs import error_sentence
from vggcompare.core.analysis.sweep_text import COLUMNS, table_rows
from vggcompare.render.plots.flip_chart import CHART_FONT, draw_flip_chart, variant_at
from vggcompare.gui.session.sweep_session import SweepSession
from vggcompare.gui.sweep.flip_grid import FlipGrid

# Demonstrations with at least two variants that one model can run in one process.
SWEEP_PRESETS = ("pitfalls", "numerics", "popular-1", "matrix")
LISTED_ROWS = 50


class FlipChart(QWidget):
    """The flip-rate bars with their 95% intervals, drawn by the same code as the PDF report; a bar is clickable."""

    bar_clicked = Signal(str)  # the variant whose bar (or its row) was clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary: dict | None = None
        self.setMinimumHeight(120)
        self.setToolTip("Click a variant's bar to see the images whose top-1 it flipped")

    def chart_rect(self):
        """Where the chart is drawn in the widget."""
        return self.rect().adjusted(8, 8, -8, -8).toRectF()

    def variant_at(self, y: float) -> str | None:
        """The variant whose bar row is at height ``y`` (widget coordinates), or None."""
        if not self.summary:
            return None
        return variant_at(self.chart_rect(), self.summary, y, QFontMetricsF(QFont(*CHART_FONT), self).height())

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """A click on a bar row names its variant."""
        variant = self.variant_at(event.position().y())
        if variant is not None:
            self.bar_clicked.emit(variant)

    def show_summary(self, summary: dict) -> None:
        """Redraw for ``summary``."""
        self.summary = summary
        self.setMinimumHeight(90 + 30 * max(len(summary["variants"]), 1))
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt naming
        """White like the printed chart, so the same colours read well in light and dark themes."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if self.summary and self.summary["variants"]:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            draw_flip_chart(painter, self.chart_rect(), self.summary)
        painter.end()


def _table(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))


class SweepView(QWidget):
    """Pick a folder (or the bundled photos) and a demonstration; run with progress and Cancel; read the numbers."""

    def __init__(self, sweeps: SweepSession, config_source: Callable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sweeps, self.config_source = sweeps, config_source
        self._reference = None
        self.folder = QLineEdit(str(sweep_samples_folder()))
        self.folder.setToolTip("A folder of images (searched recursively), or a text file listing images")
        choose, bundled = QPushButton("Choose folder…"), QPushButton("Bundled photos")
        choose.clicked.connect(self._choose)
        bundled.clicked.connect(lambda: self.folder.setText(str(sweep_samples_folder())))
        self.preset = QComboBox()
        from vggcompare.core.studies.presets.registry import PRESETS

        for name in SWEEP_PRESETS:
            self.preset.addItem(PRESETS[name].title, name)
        self.run_button, self.cancel_button = QPushButton("Run on every image"), QPushButton("Cancel")
        self.run_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(sweeps.cancel)
        self.cancel_button.setEnabled(False)
        self.progress, self.status, self.headline = QProgressBar(), QLabel(), QLabel()
        for label in (self.status, self.headline):
            label.setWordWrap(True)
        self.headline.setStyleSheet("font-weight: bold")
        self.variants = _table(list(COLUMNS))
        self.chart = FlipChart()
        self.flips = FlipGrid()
        self.chart.bar_clicked.connect(self.show_flips)
        self.flips.open_pair.connect(self._compare_pair)
        self.rows = _table(["image", "variant", "largest change", "top-1: reference → variant", "KL divergence"])
        self.rows.cellDoubleClicked.connect(self._compare)
        self.rows.setMinimumHeight(200)
        top, actions = QHBoxLayout(), QHBoxLayout()
        for w in (QLabel("Images:"), self.folder, choose, bundled):
            top.addWidget(w)
        for w in (QLabel("Demonstration:"), self.preset, self.run_button, self.cancel_button):
            actions.addWidget(w)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        intro = QLabel("<b>Many images</b> — the chosen demonstration's variants on every image of a folder, with the "
                       "model chosen on the left: how often each one changes the top-1 answer, with a 95% interval. "
                       "Finished images are kept; running again resumes.")
        intro.setWordWrap(True)
        for w in (intro,):
            layout.addWidget(w)
        layout.addLayout(top)
        layout.addLayout(actions)
        for w in (self.progress, self.status, self.headline, self.variants, self.chart, self.flips,
                  QLabel("Images whose output moved most (double-click a row to compare its two runs):"), self.rows):
            layout.addWidget(w)
        sweeps.started.connect(self._on_started)
        sweeps.progress.connect(self._on_progress)
        sweeps.finished.connect(self._on_finished)
        sweeps.failed.connect(self._on_failed)
        sweeps.rows_ready.connect(self._show_rows)
        sweeps.flips_ready.connect(self._on_flips)
        sweeps.cancelled.connect(lambda: self._idle("Cancelled. The finished images are kept: run again to resume."))
        sweeps.paused.connect(lambda: self._idle("Paused for a run. The finished images are kept: press "
                                                 "Run on every image to resume from its table."))

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of images", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def start(self) -> None:
        """Start (or resume) the sweep with the model and passes chosen on the left."""
        folder = self.folder.text().strip()
        if not folder or not os.path.exists(folder):
            self.status.setText("Choose a folder of images (or a list file) first.")
            return
        try:
            config = self.config_source()
        except ConfigError as exc:
            self.status.setText(error_sentence(exc))
            return
        self.sweeps.start(folder, self.preset.currentData(), config)

    def _on_started(self, out_dir: str) -> None:
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)
        self.status.setText(f"Starting… Results go to {out_dir}")

    def _on_progress(self, report) -> None:
        if report.total:
            self.progress.setRange(0, report.total)
            self.progress.setValue(report.done)
        eta = f", about {report.eta:.0f} s to go" if report.eta is not None and report.done < report.total else ""
        self.status.setText(f"{report.done} of {report.total} passes{eta}. {report.message}")
        if report.summary is not None:
            self.show_summary(report.summary)

    def _on_finished(self, outcome) -> None:
        self.show_summary(outcome.summary)
        notes = " ".join(outcome.notes)
        self._idle(f"Done: {outcome.passes_run} passes in {outcome.seconds:.1f} s. {notes} "
                   f"Table, rows.csv and summary.json are in {outcome.folder}")
        self.progress.setRange(0, 1)
        self.progress.setValue(1)

    def _on_failed(self, title: str, exc: BaseException, _details: str) -> None:
        self._idle(f"{title}: {error_sentence(exc)}")

    def _idle(self, text: str) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status.setText(text)

    def show_summary(self, summary: dict) -> None:
        """Fill the headline, the per-variant table, the chart and the list of rows from the sweep's files."""
        self.headline.setText(summary["headline"])
        _fill(self.variants, table_rows(summary))
        self.variants.setMinimumHeight(min(400, 40 + 30 * len(summary["variants"])))
        self.chart.show_summary(summary)
        self._reference = summary["reference"]
        self.sweeps.read_rows()  # rows.csv is read off the GUI thread; rows_ready fills the list

    def _show_rows(self, rows: list[dict]) -> None:
        moved = sorted((r for r in rows if not r["error"] and r["variant"] != self._reference),
                       key=lambda r: -float(r["largest_change"]))[:LISTED_ROWS]
        _fill(self.rows, [[r["image"], r["variant"], fmt(float(r["largest_change"])),
                           f"{r['reference_top1_label']} → {r['top1_label']}", fmt(float(r["kl_divergence"]))] for r in moved])

    def show_flips(self, variant: str) -> None:
        """Open the grid of the images whose top-1 flipped under ``variant`` (read off the GUI thread)."""
        self.status.setText(f"Reading the images whose top-1 flipped under '{variant}'…")
        self.sweeps.read_flips(variant)

    def _on_flips(self, variant: str, flips: list) -> None:
        self.status.setText("")
        self.flips.show_flips(variant, flips)

    def _compare(self, row: int, _column: int) -> None:
        self._compare_pair(self.rows.item(row, 0).text(), self.rows.item(row, 1).text())

    def _compare_pair(self, image: str, variant: str, explain: str | None = None) -> None:
        if self.sweeps.running:  # its rerun would wait for the whole sweep
            self.status.setText("The sweep is still running: let it finish (or cancel it) to compare a row.")
            return
        self.status.setText(f"Running the reference and '{variant}' on {image} for the compare view…")
        self.sweeps.compare_row(image, variant, explain)
