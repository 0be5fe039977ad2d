"""Presenter mode's three screens: the run shown, a demonstration's question, and its answer.

Every number on them is the core's: the run's statistics and verdict, the demonstration's headline and bars.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from vggcompare.core.analysis.result import RunResult
from vggcompare.core.studies.presets.registry import PRESETS
from vggcompare.render import theme
from vggcompare.render.qimages import pil_to_pixmap
from vggcompare.gui.present.pictures import BigBars, ScaledPicture
from vggcompare.gui.present.questions import question, verdict_sentence
from vggcompare.gui.present.style import BODY_PT, VERDICT_PT, font
from vggcompare.render.plots.heatmap import heat_image, map_range, overlay
from vggcompare.render.numbers import fmt

MAP_OPACITY = 0.6
ANSWER_BARS = 5  # the largest bars of a demonstration shown with its answer (what fits under it at 1080p)
TABLE_ROWS = 4  # a demonstration's table is shown when it is this short (at 28 pt); else its bars or headline
NO_MAP = ("No map computed: this run was made without an explanation "
          "(run it with --explain gradcam or occlusion to see where the model looked).")


def label(text: str = "", points: float = BODY_PT, bold: bool = False, muted: bool = False) -> QLabel:
    """A word-wrapped label in presenter type."""
    out = QLabel(text)
    out.setWordWrap(True)
    out.setTextFormat(Qt.TextFormat.PlainText)
    out.setFont(font(out.font(), points, bold))
    if muted:
        out.setStyleSheet(f"color: {theme.colors(out.palette()).css('muted')};")
    return out


def picture(result: RunResult | None, loaded) -> QPixmap | None:
    """The picture to show: the session's image when it is the run's, else the one the run kept."""
    if loaded is not None and (result is None or not result.config.image or result.config.image == loaded.source):
        return pil_to_pixmap(loaded.image, 1024)
    kept = result.explanation.picture_png if result is not None and result.explanation is not None else b""
    if not kept and result is not None and result.thumbnails:
        kept = result.thumbnails[0].png
    image = QImage.fromData(kept, "PNG") if kept else QImage()
    return None if image.isNull() else QPixmap.fromImage(image)


def top5_rows(result: RunResult) -> list[tuple[str, float, float, str]]:
    """The top-5 of the mean as bar rows: label, mean, std and 'mean ± std' (the core's statistics)."""
    rows = []
    for c in result.statistics.top5:
        text = fmt(c.mean) if c.std == 0 else f"{fmt(c.mean)} ± {fmt(c.std)}"
        rows.append((theme.short_label(c.label, 32), float(c.mean), float(c.std), text))
    return rows


class ResultPage(QWidget):
    """The picture, where the model looked, the top-5 as big bars, and one sentence of the verdict."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picture, self.map = ScaledPicture(), ScaledPicture()
        self.picture_caption = label("The picture", muted=True)
        self.map_caption = label("Where the model looked", muted=True)
        self.map_note = label("", muted=True)  # what the map explains, under it
        self.bars = BigBars()
        self.bars_caption = label("Top 5", muted=True)
        self.verdict = label("", VERDICT_PT, bold=True)
        grid = QGridLayout()
        grid.setHorizontalSpacing(48)
        for col, (caption, widget) in enumerate(((self.picture_caption, self.picture), (self.map_caption, self.map),
                                                 (self.bars_caption, self.bars))):
            grid.addWidget(caption, 0, col, Qt.AlignmentFlag.AlignBottom)
            grid.addWidget(widget, 1, col, Qt.AlignmentFlag.AlignTop if widget is self.bars else Qt.AlignmentFlag(0))
        grid.addWidget(self.map_note, 2, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 4)
        grid.setRowStretch(2, 1)  # the pictures keep their size hint; the note sits right under the map
        layout = QVBoxLayout(self)
        layout.addLayout(grid, 1)
        layout.addSpacing(24)
        layout.addWidget(self.verdict)

    def show_result(self, result: RunResult | None, loaded=None) -> None:
        """Fill the page from ``result`` (None: no run shown yet) and the session's image ``loaded``."""
        pixmap = picture(result, loaded)
        self.picture.set_pixmap(pixmap, "No picture open")
        self.map_note.setText("")
        if result is None:
            self.bars_caption.setText("Top 5")
            self.map.set_pixmap(None, "No map yet.")
            self.bars.set_rows([])
            self.verdict.setText("No run shown yet: press Next for the demonstrations, or Esc and Run.")
            return
        n = result.passes
        self.bars_caption.setText(f"Top 5, mean of {n} pass{'es' if n != 1 else ''}" + (" ± std" if n > 1 else ""))
        e = result.explanation
        if e is None:
            self.map.set_pixmap(None, NO_MAP)
        else:
            background = QImage.fromData(e.picture_png, "PNG") if e.picture_png else None
            heat = heat_image(e.mean, *map_range(e.mean), diverging=map_range(e.mean)[0] < 0)
            self.map.set_pixmap(overlay(background if background is not None and not background.isNull() else None,
                                        heat, MAP_OPACITY, 1024))
            moved = "one map: every pass gave the same" if e.identical else f"mean of {e.passes} passes"
            self.map_note.setText(f"{e.title}, {moved}; bright: most")
        self.bars.set_rows(top5_rows(result), 1.0)
        self.verdict.setText(verdict_sentence(result.verdict) or "This run has no verdict.")


class QuestionPage(QWidget):
    """A demonstration's title and the question for the room; below, whether its runs are going or ready."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("", BODY_PT, bold=True, muted=True)
        self.question = label("", VERDICT_PT + 8, bold=True)
        self.status = label("", muted=True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addSpacing(24)
        layout.addWidget(self.question)
        layout.addStretch(1)
        layout.addWidget(self.status)

    def show_question(self, name: str, state: str, line: str = "") -> None:
        """Ask the question of ``name``; ``state`` and ``line`` say how its runs are going (see DemoRuns)."""
        self.title.setText(f"Demonstration: {PRESETS[name].title}")
        self.question.setText(question(name))
        self.status.setText({"done": "The runs are done. Next shows the answer.",
                             "failed": line,
                             "running": f"The tool is running it now. {line}".strip(),
                             }.get(state, "Not run yet: Next runs it and shows the answer."))


class AnswerPage(QWidget):
    """The question again, the demonstration's headline (its numbers), its bars and the model it ran."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = label("", BODY_PT, muted=True)
        self.answer = label("", VERDICT_PT, bold=True)
        self.bars_caption = label("", muted=True)
        self.bars = BigBars()
        self.table = QWidget()  # the outcome's table, when it is short and has no bars
        self.table_grid = QGridLayout(self.table)
        self.table_grid.setContentsMargins(0, 0, 0, 0)
        self.table_grid.setHorizontalSpacing(40)
        self.model = label("", muted=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addSpacing(24)
        layout.addWidget(self.answer)
        layout.addSpacing(24)
        layout.addWidget(self.bars_caption)
        layout.addWidget(self.bars)
        layout.addWidget(self.table)
        self.layers_box = QVBoxLayout()  # the layer plot, made on first use (pyqtgraph loads then)
        layout.addLayout(self.layers_box, 1)
        self.layers = None
        layout.addStretch(1)
        layout.addWidget(self.model)

    def _show_layers(self, outcome) -> None:
        """The first comparison's layer plot, when the demonstration compared layers (e.g. 'layers'); else hidden."""
        found = next(((a, b, c.layers) for a, b, c in (outcome.comparisons if outcome else []) if c.layers is not None), None)
        if found is None:
            if self.layers is not None:
                self.layers.widget.setVisible(False)
            return
        if self.layers is None:
            from vggcompare.render.plots.layer_plot import LayerPlot

            self.layers = LayerPlot(320)
            self.layers_box.addWidget(self.layers.widget)
        a, b, comparison = found
        self.layers.show(comparison, self.palette(), title=f"{b} against {a}, layer by layer")
        self.layers.widget.setVisible(True)

    def show_answer(self, name: str, state: str, outcome=None, line: str = "") -> None:
        """Show ``outcome``'s headline and bars; while it runs or after it failed, say so instead."""
        self.question.setText(question(name))
        self.bars.set_rows([])
        self.bars.setVisible(False)  # an empty bar plot would push the table down
        self.bars_caption.setText("")
        self.model.setText("")
        self._fill_table([], [])
        self._show_layers(outcome if state == "done" else None)
        if state != "done" or outcome is None:
            self.answer.setText(line if state == "failed" else f"Running… {line}".strip())
            return
        self.answer.setText(outcome.headline or "The demonstration finished without a headline.")
        if outcome.bars and self.layers is not None and self.layers.widget.isVisible():
            pass  # the layer plot tells it; the bars would repeat its last point
        elif outcome.bars:
            top = sorted(outcome.bars, key=lambda bar: -abs(bar[1]))[:ANSWER_BARS]
            self.bars_caption.setText(f"The largest {len(top)}: {outcome.bars_label}" if outcome.bars_label else "")
            self.bars.set_rows([(theme.short_label(text, 40), abs(value), 0.0, fmt(value)) for text, value in top])
            self.bars.setVisible(True)
        elif outcome.rows and len(outcome.rows) <= TABLE_ROWS:
            self._fill_table(outcome.columns, outcome.rows)
        self.model.setText(f"Model: {outcome.model}" if outcome.model else "")

    def _fill_table(self, columns: list[str], rows: list[list[str]]) -> None:
        while self.table_grid.count():
            item = self.table_grid.takeAt(0)
            item.widget().deleteLater()
        for c, text in enumerate(columns):
            self.table_grid.addWidget(label(str(text), bold=True, muted=True), 0, c, Qt.AlignmentFlag.AlignTop)
        for r, row in enumerate(rows, 1):
            for c, text in enumerate(row):
                self.table_grid.addWidget(label(str(text)), r, c, Qt.AlignmentFlag.AlignTop)
        self.table.setVisible(bool(rows))
