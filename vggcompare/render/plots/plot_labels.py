"""Point labels that do not overlap: each label takes the first free spot around its point."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF

GAP = 5.0  # pixels between a point and its label


class PointLabels:
    """Labels for a few highlighted points of a plot, re-placed whenever the view changes."""

    def __init__(self, plot: pg.PlotItem, font: QFont) -> None:
        self.plot = plot
        self.font = font
        self.items: list[pg.TextItem] = []
        self.points: list[tuple[float, float]] = []
        self.leaders = pg.PlotDataItem(connect="pairs")
        self.leaders.setZValue(5)
        plot.addItem(self.leaders, ignoreBounds=True)
        plot.getViewBox().sigRangeChanged.connect(lambda *_a: self.place())
        plot.getViewBox().sigResized.connect(lambda *_a: self.place())

    def set_labels(self, entries: list[tuple[str, float, float]], color: QColor, background: QColor) -> None:
        """Show ``(text, x, y)`` labels (x, y in view coordinates) in ``color`` on ``background``.

        The text items of the last call are kept and given the new words: adding and removing items of the
        plot's scene cost most of a redraw (measured: 14 of 23 ms for five labels)."""
        for item in self.items[len(entries):]:
            self.plot.removeItem(item)
        del self.items[len(entries):]
        fill = QColor(background)
        fill.setAlpha(225)
        while len(self.items) < len(entries):
            item = pg.TextItem("", anchor=(0, 1))
            item.setFont(self.font)
            item.setZValue(10)
            self.plot.addItem(item, ignoreBounds=True)
            self.items.append(item)
        for item, (text, _x, _y) in zip(self.items, entries):
            item.setText(text, color)
            item.fill = pg.mkBrush(fill)
            item.update()
        self.points = [(x, y) for _text, x, y in entries]
        self.leaders.setPen(pg.mkPen(color, width=1))
        self.place()

    def place(self) -> None:
        """Put each label at the first spot around its point that is free and inside the view."""
        vb = self.plot.getViewBox()
        if not self.items or vb.width() <= 0 or vb.height() <= 0:
            self.leaders.setData([], [])
            return
        area = vb.mapRectToScene(vb.boundingRect())
        fm = QFontMetricsF(self.font)
        taken = [QRectF(vb.mapViewToScene(QPointF(x, y)) - QPointF(4, 4), pg.QtCore.QSizeF(8, 8)) for x, y in self.points]
        lead_x: list[float] = []
        lead_y: list[float] = []
        for item, (x, y) in zip(self.items, self.points):
            anchor = vb.mapViewToScene(QPointF(x, y))
            size = pg.QtCore.QSizeF(fm.horizontalAdvance(item.toPlainText()) + 6, fm.height() + 2)
            rect = self._free_spot(anchor, size, taken, area)
            taken.append(rect)
            item.setAnchor((0, 1))
            item.setPos(vb.mapSceneToView(rect.bottomLeft()))
            near = rect.adjusted(-GAP - 2, -GAP - 2, GAP + 2, GAP + 2).contains(anchor)
            if not near:
                end = QPointF(min(max(anchor.x(), rect.left()), rect.right()), rect.bottom() if rect.bottom() < anchor.y() else rect.top())
                a, b = vb.mapSceneToView(anchor), vb.mapSceneToView(end)
                lead_x += [a.x(), b.x()]
                lead_y += [a.y(), b.y()]
        self.leaders.setData(lead_x, lead_y)

    @staticmethod
    def _free_spot(anchor: QPointF, size, taken: list[QRectF], area: QRectF) -> QRectF:
        w, h = size.width(), size.height()
        offsets = [(GAP, -h - GAP / 2), (GAP, GAP / 2), (-w - GAP, -h - GAP / 2), (-w - GAP, GAP / 2)]
        for k in range(1, 8):
            offsets += [(GAP, -h * (k + 1) - GAP), (-w - GAP, -h * (k + 1) - GAP), (GAP, h * k + GAP), (-w - GAP, h * k + GAP)]
        first = None
        for dx, dy in offsets:
            rect = QRectF(anchor.x() + dx, anchor.y() + dy, w, h)
            inside = area.contains(rect)
            if inside and not any(rect.intersects(t) for t in taken):
                return rect
            if inside and first is None:
                first = rect
        if first is not None:
            return first
        rect = QRectF(anchor.x() + GAP, anchor.y() - h - GAP / 2, w, h)
        rect.moveLeft(min(max(rect.left(), area.left()), area.right() - w))
        rect.moveTop(min(max(rect.top(), area.top()), area.bottom() - h))
        return rect
