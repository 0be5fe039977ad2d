"""Two runs' mean maps and their difference (A − B), on one colour scale; the core computed all three."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from vggcompare.core.analysis.explanation import MapDifference
from vggcompare.render.plots.heatmap import ColourBar, heat_image, overlay

SIDE = 180


class MapsCompare(QWidget):
    """A's mean map, B's, and A − B side by side, with one shared colour bar; hidden when no run made maps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.views = [QLabel() for _ in range(3)]
        self.captions = [QLabel(text) for text in ("<b>A</b>: mean map", "<b>B</b>: mean map", "<b>A − B</b>")]
        self.bar = ColourBar()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.title, 0, 0, 1, 5)
        for col, (view, caption) in enumerate(zip(self.views, self.captions)):
            view.setFixedSize(SIDE, SIDE)
            view.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(caption, 1, col)
            grid.addWidget(view, 2, col)
        grid.addWidget(self.bar, 2, 3)
        grid.setColumnStretch(4, 1)
        self.hide()

    def show_maps(self, maps: MapDifference | None) -> None:
        """Show the comparison's maps, its sentence when they cannot be subtracted, or hide when neither run has maps."""
        if maps is None:
            self.hide()
            return
        self.title.setText(f"<b>Where the model looked, A and B</b> (one colour scale, −{maps.scale:.3g} to {maps.scale:.3g})"
                           + (f"<br>{html.escape(maps.message)}" if maps.message else ""))
        drawn = maps.difference is not None
        for view, caption, values in zip(self.views, self.captions, (maps.a, maps.b, maps.difference)):
            view.setVisible(drawn)
            caption.setVisible(drawn)
            if drawn:
                view.setPixmap(overlay(None, heat_image(values, -maps.scale, maps.scale, diverging=True), 1.0, SIDE))
        self.bar.setVisible(drawn)
        self.bar.set_scale(-maps.scale, maps.scale, diverging=True)
        self.show()
