"""The Checkup tab's view: one button, the status ("cause k of n: name"), the ranked chart and table filling in
as each cause is measured, and a row (or a bar) that opens its pair in the compare view.

The view talks only to its :class:`~vggcompare.gui.session.checkup_session.CheckupSession`; asking for a start
goes out as ``start_requested`` (the window checks the settings and may ask about a sweep first). Every number
it shows is a row the core measured.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.errors import ConfigError
from vggcompare.gui.common.bars import set_bar
from vggcompare.gui.common.dialogs import error_sentence
from vggcompare.gui.session.checkup_session import CheckupSession
from vggcompare.render.plots.checkup_chart import FLIP_COLOUR, ChartRows, cause_at, chart_height, checkup_subtitle, draw_checkup_chart

COLUMNS = ["#", "cause", "setting", "largest probability change", "top-1", "enters at", "seconds"]
COLUMN_WIDTHS = (34, 220, 190, 170, 300, 220, 64)
CAUSE_COLUMN, TOP1_COLUMN, ENTERS_COLUMN = 1, 4, 5
LAYERS_TIP = ("Also compare each measured cause with its reference layer by layer (one more pass per run with every "
              "layer's output kept), so each row says where in the network its difference enters. "
              "It makes the checkup take about twice as long (measured with EfficientNet-Lite0 on brick.jpg: 2.2× "
              "a first checkup's time, 2.4× a second's). With it, a row opens in "
              "the compare view with its layer plot at once; without it, the row's pair is compared layer by layer "
              "when you open it (1.3–3.4 s for EfficientNet-Lite0).")
CHART_MARGIN = 8
REDRAW_MS = 30  # the chart and the bar draw what arrived within this once: a burst of rows costs one redraw


class CheckupChart(QWidget):
    """The ranked bar chart, drawn by the same code as the PNG; a bar is clickable."""

    bar_clicked = Signal(str)  # the cause whose bar was clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list = []
        self.subtitle = ""
        self.setToolTip("Click a cause's bar to compare it with its reference")
        self._fit()

    def chart_rect(self):
        """Where the chart is drawn in the widget."""
        return self.rect().adjusted(CHART_MARGIN, CHART_MARGIN, -CHART_MARGIN, -CHART_MARGIN).toRectF()

    def set_rows(self, rows, subtitle: str | None = None) -> None:
        """Redraw for ``rows`` (CauseRow objects, any order)."""
        self.rows = list(rows)
        if subtitle is not None:
            self.subtitle = subtitle
        self._fit()
        self.update()

    def cause_at(self, y: float) -> str | None:
        """The cause whose bar row is at height ``y`` (widget coordinates), or None."""
        return cause_at(self.chart_rect(), self.rows, y)

    def _fit(self) -> None:
        self.setMinimumHeight(chart_height(self.rows, max(self.width(), 400) - 2 * CHART_MARGIN) + 2 * CHART_MARGIN)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """The list of causes that could not apply wraps: its height follows the width."""
        super().resizeEvent(event)
        self._fit()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """A click on a bar names its cause."""
        cause = self.cause_at(event.position().y())
        if cause is not None:
            self.bar_clicked.emit(cause)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt naming
        """White like the saved chart, so its colours read the same in light and dark themes."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        draw_checkup_chart(painter, self.chart_rect(), self.rows, self.subtitle)
        painter.end()


class CheckupView(QWidget):
    """Start a checkup in one click and watch its rows arrive, ranked."""

    start_requested = Signal()

    def __init__(self, checkups: CheckupSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.checkups = checkups
        intro = QLabel("<b>Checkup</b> — every cause the tool knows, one at a time, against your pipeline (the image, "
                       "model, loader and call chosen on the left), ranked by how far each moves the probabilities. "
                       "Click a row or a bar to see that cause against its reference.")
        intro.setWordWrap(True)
        self.run_button = QPushButton("▶  Check every cause")
        self.run_button.setToolTip("Run the checkup on the open image with the model and pipeline chosen on the left")
        self.run_button.clicked.connect(self.start_requested)
        self.layers_box = QCheckBox("Where it enters (layer by layer)")
        self.layers_box.setToolTip(LAYERS_TIP)
        self.layers_box.setChecked(checkups.layers)
        self.layers_box.toggled.connect(lambda on: setattr(checkups, "layers", on))
        self.status = QLabel("Press “Check every cause” to start.")
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.bar.setValue(0)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.chart = CheckupChart()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()  # fixed widths: fitting them to the text re-measures every cell per row
        for column, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(column, width)
        header.setSectionResizeMode(TOP1_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeaderItem(ENTERS_COLUMN).setToolTip(_enters_tip())
        self.table.setColumnHidden(ENTERS_COLUMN, True)  # shown for a checkup that compares layers
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(220)
        self.table.setToolTip("Click a measured cause to compare it with its reference")
        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addWidget(self.layers_box)
        top.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addWidget(self.headline)
        layout.addWidget(self.chart)
        layout.addWidget(self.table, 1)
        self._muted, self._text = self.palette().placeholderText(), self.palette().text()
        self._flip = QBrush(QColor(FLIP_COLOUR))
        self._progress = (0, 1)  # the bar's value and maximum, drawn by _draw
        self._subtitle = ""
        self._redraw = QTimer(self, singleShot=True, interval=REDRAW_MS, timeout=self._draw)
        self.table.cellClicked.connect(lambda row, _col: self._open(self._cause_in_row(row)))
        self.chart.bar_clicked.connect(self._open)
        checkups.started.connect(self._on_started)
        checkups.progress.connect(self._on_progress)
        checkups.row_measured.connect(lambda _row: self._show_rows())
        checkups.finished.connect(self._on_finished)
        checkups.cancelled.connect(self._on_cancelled)
        checkups.failed.connect(lambda _title, exc, _d: self._end(f"The checkup failed: {error_sentence(exc)}"))
        checkups.note.connect(self.status.setText)
        checkups.opening.connect(lambda cause: self.status.setText(f"Opening '{cause}' against its reference in the compare view…"))

    # ---- the session's signals ------------------------------------------------------------
    def _on_started(self, image_name: str) -> None:
        self.headline.setText("")
        self._progress, self._subtitle = (0, 1), ""
        self.status.setText(f"Starting the checkup of {image_name}: the reference first…")
        self.table.setColumnHidden(ENTERS_COLUMN, not self.checkups.with_layers)
        self.layers_box.setEnabled(False)  # read when a checkup starts: not changed under a running one
        self._show_rows()
        self._draw()

    def _on_progress(self, report) -> None:
        self.status.setText(report.message[:1].upper() + report.message[1:])
        self._progress = (report.done, max(1, report.total))
        self._draw_soon()

    def _on_finished(self, checkup) -> None:
        self._subtitle = checkup_subtitle(checkup)
        self.headline.setText(f"<b>{checkup.headline()}</b>")
        self._end(f"Done: {len(checkup.rows)} causes, {checkup.passes_run} passes in {checkup.seconds:.1f} s.")

    def _on_cancelled(self, measured: int, total: int) -> None:
        if total:
            self._end(f"Cancelled after {measured} of {total} causes: the rows measured so far are shown.")
        else:
            self._end("Cancelled before the first cause was measured.")

    def _end(self, text: str) -> None:
        self.status.setText(text)
        self.layers_box.setEnabled(True)
        if text.startswith("Done"):
            self._progress = (self._progress[1], self._progress[1])
        self._show_rows()
        self._draw()

    # ---- rows -----------------------------------------------------------------------------
    def _show_rows(self) -> None:
        """The table for the rows so far (measured causes ranked, then those that could not apply); the chart follows
        within REDRAW_MS.

        Each cell's item is made once and only a text, colour or tooltip that changed is set again (each set is
        a change the table repaints), so a new row costs a few milliseconds."""
        chart = ChartRows.of(self.checkups.rows)
        rows = [*chart.measured, *chart.not_applicable]
        self.table.setUpdatesEnabled(False)
        try:
            self.table.setRowCount(len(rows))
            for k, r in enumerate(rows):
                self._fill_row(k, r)
        finally:
            self.table.setUpdatesEnabled(True)
        self._draw_soon()

    def _draw_soon(self) -> None:
        """Draw the chart and the bar within REDRAW_MS (once for everything that arrives meanwhile)."""
        if not self._redraw.isActive():
            self._redraw.start()

    def _draw(self) -> None:
        """The chart and the bar for the rows and the progress so far, now."""
        self._redraw.stop()
        set_bar(self.bar, *self._progress)
        self.chart.set_rows(self.checkups.rows, self._subtitle)

    def _fill_row(self, k: int, r) -> None:
        if r.measured:
            top1 = f"changed: {r.against_top1} → {r.top1}" if r.top1_changed else f"same ({r.top1})"
            cells = [str(k + 1), r.cause, r.setting, fmt(r.largest_change), top1, r.enters_at or "—", f"{r.seconds:.2f}"]
        else:
            cells = ["", r.cause, r.setting, "not applicable", r.reason, "", ""]
        for c, text in enumerate(cells):
            item = self.table.item(k, c)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(k, c, item)
            colour = self._muted if not r.measured else self._flip if r.top1_changed and c in (3, TOP1_COLUMN) else self._text
            tip = (r.reason if c == TOP1_COLUMN and not r.measured else r.sentence if c == CAUSE_COLUMN
                   else text if c == ENTERS_COLUMN else "")
            if item.text() != text:
                item.setText(text)
            if item.foreground() != colour:
                item.setForeground(colour)
            if item.toolTip() != tip:
                item.setToolTip(tip)

    def _cause_in_row(self, row: int) -> str:
        item = self.table.item(row, CAUSE_COLUMN)
        return item.text() if item is not None else ""

    def _open(self, cause: str) -> None:
        try:
            self.checkups.open_row(cause)
        except ConfigError as exc:
            self.status.setText(error_sentence(exc))


def _enters_tip() -> str:
    """The "enters at" column's header tooltip: what the core's short form means (its bound from the core)."""
    from vggcompare.core.analysis.layers import ROUNDOFF_FACTOR

    return ("Where the cause's difference enters the network: the first layer whose relative L2 difference from "
            f"its reference exceeds float32 round-off for its size ({ROUNDOFF_FACTOR:g}·sqrt(elements)·2^-23), with "
            "the relative difference there → at the output. 'round-off only': no layer exceeds it; 'identical': "
            "bit for bit the same at every layer; 'output only': an exported runtime whose layers could not be "
            "read. Tick “Where it enters” to compute it.")
