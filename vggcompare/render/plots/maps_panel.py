"""Where the model looked: the mean map over the model's input, with an opacity slider and a colour bar,
and beside it the std map, where the attention moved between passes. Every number comes from the core."""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGridLayout, QLabel, QSlider, QVBoxLayout, QWidget

from vggcompare.core.analysis.explanation import Explanation, describe
from vggcompare.core.analysis.result import RunResult
from vggcompare.render.plots.heatmap import ColourBar, heat_image, map_range, overlay

SIDE = 224  # pixels each map gets on screen


def _picture_label() -> QLabel:
    label = QLabel()
    label.setFixedSize(SIDE, SIDE)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


def picture_of(e: Explanation) -> QImage | None:
    """The model's input the maps belong to, when the result kept it."""
    if not e.picture_png:
        return None
    image = QImage.fromData(e.picture_png, "PNG")
    return None if image.isNull() else image


class MapsPanel(QWidget):
    """The run's explanation maps: mean over the input (opacity slider, colour bar) and std beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.explanation: Explanation | None = None
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.mean_view, self.std_view = _picture_label(), _picture_label()
        self.mean_bar, self.std_bar = ColourBar(), ColourBar()
        self.opacity = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100, value=60)
        self.opacity.setToolTip("How strongly the map covers the picture")
        self.opacity.valueChanged.connect(self._draw_mean)
        self.mean_caption, self.std_caption = QLabel(), QLabel()
        for caption in (self.mean_caption, self.std_caption):
            caption.setWordWrap(True)
            caption.setFixedWidth(SIDE + 60)
            caption.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)  # both start on the same line
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.addWidget(self.mean_caption, 0, 0, 1, 2)
        grid.addWidget(self.mean_view, 1, 0)
        grid.addWidget(self.mean_bar, 1, 1)
        grid.addWidget(self.opacity_row(), 2, 0)
        grid.addWidget(self.std_caption, 0, 3, 1, 2)
        grid.addWidget(self.std_view, 1, 3)
        grid.addWidget(self.std_bar, 1, 4)
        grid.setColumnMinimumWidth(2, 18)
        grid.setColumnStretch(5, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        layout.addWidget(self.notes)
        self.clear()

    def opacity_row(self) -> QWidget:
        """'Map opacity' and its slider."""
        row = QWidget()
        layout = QGridLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Map opacity"), 0, 0)
        layout.addWidget(self.opacity, 0, 1)
        return row

    def clear(self) -> None:
        """No maps: the panel hides."""
        self.explanation = None
        self.hide()

    def show_result(self, result: RunResult) -> None:
        """Show ``result``'s maps, or hide when the run made none."""
        for stage in self.stages(result):
            stage()

    def stages(self, result: RunResult) -> list:
        """``show_result`` in steps for successive event-loop turns: the words (the panel's size), the mean map,
        then the std map. Nothing but the words changes the panel's size, so the later steps re-lay nothing out."""
        e = result.explanation
        if e is None:
            return [self.clear]
        return [lambda: self._show_words(e), lambda: self._show_mean(e), lambda: self._show_std(e)]

    def _show_words(self, e: Explanation) -> None:
        self.explanation = None  # the maps come in the next steps; until then the slider draws nothing
        self.mean_view.clear()  # no earlier run's map under this run's words
        self.std_view.clear()
        self.title.setText(f"<b>Where the model looked</b>: {html.escape(describe(e))}")
        self.notes.setText("<br>".join(html.escape(n) for n in e.notes))
        self.notes.setVisible(bool(e.notes))
        # a short title that stays on one line, the rest in the small print under it
        self.mean_caption.setText(f"<b>Mean map</b> of {e.passes} pass{'es' if e.passes != 1 else ''}"
                                  f"<br><span style='font-size: small'>over what the model sees; {html.escape(e.units)}</span>")
        if e.identical:
            self.std_caption.setText("<b>Where the attention moved</b>: nowhere")
        else:
            self.std_caption.setText("<b>Where the attention moved</b><br><span style='font-size: small'>"
                                     "std of the maps over the passes</span>")
        self.std_bar.setVisible(not e.identical)
        # the grid does not ask a spanning label its height for its width: give both captions the taller one's
        tall = max(c.heightForWidth(SIDE + 60) for c in (self.mean_caption, self.std_caption))
        for caption in (self.mean_caption, self.std_caption):
            caption.setMinimumHeight(tall)
        self.show()

    def _show_mean(self, e: Explanation) -> None:
        self.explanation = e
        self._background = picture_of(e)
        self._mean_scale = map_range(e.mean)
        self._mean_heat = heat_image(e.mean, *self._mean_scale, diverging=self._mean_scale[0] < 0)
        self.mean_bar.set_scale(*self._mean_scale, diverging=self._mean_scale[0] < 0)
        self._draw_mean()

    def _show_std(self, e: Explanation) -> None:
        if e.identical:  # one map: no std picture, a sentence where it would be
            self.std_view.clear()
            self.std_view.setText("Every explained pass gave the same map, so the mean map is that one map and "
                                  "the std is 0 everywhere.")
        else:
            std = np.asarray(e.std, dtype=np.float32)
            low, high = map_range(std)
            self.std_view.setPixmap(overlay(None, heat_image(std, low, high), 1.0, SIDE))
            self.std_bar.set_scale(low, high)

    def _draw_mean(self) -> None:
        if self.explanation is not None:
            self.mean_view.setPixmap(overlay(self._background, self._mean_heat, self.opacity.value() / 100, SIDE))
