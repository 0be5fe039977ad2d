"""Thumbnails of the first inputs as the model saw them, each captioned with what augmentation did."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from vggcompare.core.analysis.result import RunResult, Thumbnail
from vggcompare.render.numbers import n_passes

CARD_WIDTH = 132
MAP_SIDE = 96  # pixels of the map under each thumbnail
CARDS_PER_STEP = 2  # thumbnails made in one event-loop turn


def _map_label(result: RunResult, pass_index: int, scale: tuple[float, float]) -> QLabel | None:
    """The pass's explanation map, small, on the ``scale`` all the run's maps share; None when it has none."""
    e = result.explanation
    if e is None or pass_index >= e.passes:
        return None
    from vggcompare.render.plots.heatmap import heat_image

    low, high = scale
    label = QLabel()
    values = e.map_of(pass_index)
    step = max(1, min(values.shape) // MAP_SIDE)  # a 96-pixel picture needs no more than every step-th value
    heat = heat_image(values[::step, ::step], low, high, diverging=low < 0)
    label.setPixmap(QPixmap.fromImage(heat.scaled(MAP_SIDE, MAP_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                                                  Qt.TransformationMode.SmoothTransformation)))
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setToolTip(f"{e.title}, pass {pass_index + 1}")
    return label


def _card(thumb: Thumbnail, heat: QLabel | None = None) -> QWidget:
    card = QWidget()
    card.setFixedWidth(CARD_WIDTH)
    picture = QLabel()
    image = QImage.fromData(thumb.png, "PNG")  # Qt's own decoder: the thumbnails are PNGs the engine wrote
    picture.setPixmap(QPixmap.fromImage(image))
    picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
    head, _, rest = thumb.caption.partition(": ")
    caption = QLabel(f"<b>{html.escape(head[:1].upper() + head[1:])}</b><br>{html.escape(rest)}")
    caption.setWordWrap(True)
    caption.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
    caption.setToolTip(thumb.caption)
    layout = QVBoxLayout(card)
    layout.setContentsMargins(2, 2, 2, 2)
    layout.setSpacing(3)
    layout.addWidget(picture)
    if heat is not None:
        layout.addWidget(heat)
    layout.addWidget(caption)
    layout.addStretch(1)
    return card


class InputsStrip(QWidget):
    """A row of captioned thumbnails in a horizontal scroll area."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(6)
        inner = QWidget()
        inner.setLayout(self.row)
        self.scroll = QScrollArea()
        self.scroll.setWidget(inner)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.scroll)
        self.cards: list[QWidget] = []
        self.clear()

    def clear(self) -> None:
        """Remove the thumbnails."""
        self._remove_cards()
        self.title.setText("<b>What the model saw</b> (the first passes' inputs appear here after a run)")
        self.scroll.setFixedHeight(0)

    def show_result(self, result: RunResult) -> None:
        """Show the run's thumbnails with their captions."""
        for stage in self.stages(result):
            stage()

    def stages(self, result: RunResult) -> list:
        """``show_result`` in steps for successive event-loop turns: the title (the earlier cards go), the cards
        ``CARDS_PER_STEP`` at a time, then the strip's height. The strip keeps its height until the last step,
        so the cards come in without re-laying out the view around it."""
        thumbs = result.thumbnails
        scale = [(0.0, 1.0)]

        def start() -> None:
            self._remove_cards()
            augmented = result.config.augment.enabled
            shown = f"the first {len(thumbs)} of {n_passes(result.passes)}" if len(thumbs) < result.passes else (
                f"all {n_passes(len(thumbs))}" if len(thumbs) > 1 else "the only pass")
            what = "each with what its augmentation did" if augmented else "no augmentation, so every pass got the same input"
            self.title.setText(f"<b>What the model saw</b>: {shown}, {what}")
            if result.explanation is not None:  # one colour scale for every pass's map, found once
                from vggcompare.render.plots.heatmap import map_range

                scale[0] = map_range(result.explanation.maps)

        def add(some) -> None:
            for thumb in some:
                card = _card(thumb, _map_label(result, thumb.pass_index, scale[0]))
                self.row.addWidget(card)
                self.cards.append(card)

        steps = [start] + [lambda some=thumbs[i : i + CARDS_PER_STEP]: add(some) for i in range(0, len(thumbs), CARDS_PER_STEP)]
        return steps + [self._fit_height]

    def _fit_height(self) -> None:
        self.row.addStretch(1)
        tallest = max((max(card.heightForWidth(CARD_WIDTH), card.sizeHint().height()) for card in self.cards), default=0)
        bar = self.scroll.horizontalScrollBar().sizeHint().height()
        self.scroll.setFixedHeight(tallest + bar + 4 if self.cards else 0)

    def _remove_cards(self) -> None:
        while self.row.count():
            item = self.row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.cards = []
