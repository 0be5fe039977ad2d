"""Presenter mode's pictures and bars: drawn as large as the screen allows, in BODY_PT type."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from vggcompare.render import theme
from vggcompare.gui.present.style import BODY_PT, font


class ScaledPicture(QWidget):
    """A pixmap drawn as large as fits, keeping its aspect; or a sentence when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pixmap: QPixmap | None = None
        self.text = ""
        self.setFont(font(self.font(), BODY_PT))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_pixmap(self, pixmap: QPixmap | None, text: str = "") -> None:
        """Show ``pixmap``, or ``text`` in its place when it is None."""
        self.pixmap, self.text = pixmap, text
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        """A square of about 0.43 of a 1080p screen's height."""
        return QSize(460, 460)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt naming
        """The picture (centred across, at the top), or the sentence wrapped in a frame."""
        p = QPainter(self)
        c = theme.colors(self.palette())
        if self.pixmap is not None and not self.pixmap.isNull():
            size = self.pixmap.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x, y = (self.width() - size.width()) / 2, 0  # top-aligned: the pictures line up under their captions
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawPixmap(QRectF(x, y, size.width(), size.height()), self.pixmap, QRectF(self.pixmap.rect()))
        else:
            p.setPen(c.muted)
            p.drawRect(self.rect().adjusted(1, 1, -2, -2))
            p.drawText(self.rect().adjusted(24, 24, -24, -24), Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter, self.text)
        p.end()


class BigBars(QWidget):
    """Rows of 'label  value' over a thick bar (with an optional ± error bar), from numbers the core computed."""

    BAR = 22  # bar thickness in pixels

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, float, float, str]] = []  # label, value, ± (0 for none), value as text
        self.scale = 1.0
        self.setFont(font(self.font(), BODY_PT))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_rows(self, rows: list[tuple[str, float, float, str]], scale: float | None = None) -> None:
        """Show ``rows`` on an axis from 0 to ``scale`` (default: the largest value plus its ±)."""
        self.rows = list(rows)
        top = max([v + e for _l, v, e, _t in self.rows] or [1.0])
        self.scale = scale if scale else (top if top > 0 else 1.0)
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        return self.fontMetrics().height() + self.BAR + 16

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        """Room for every row."""
        return QSize(700, max(1, len(self.rows)) * self._row_height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        """Every row, at least 400 px wide."""
        return QSize(400, len(self.rows) * self._row_height())

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt naming
        """Each row: its label (left) and value (right), the bar beneath."""
        c = theme.colors(self.palette())
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics, width = self.fontMetrics(), self.width() - 4
        for i, (label, value, err, text) in enumerate(self.rows):
            top = i * self._row_height()
            value_w = metrics.horizontalAdvance(text) + 16
            p.setPen(c.text)
            shown = metrics.elidedText(label, Qt.TextElideMode.ElideRight, max(10, width - value_w))
            p.drawText(0, top + metrics.ascent(), shown)
            p.drawText(width - value_w + 16, top + metrics.ascent(), text)
            y = top + metrics.height() + 6
            p.fillRect(QRectF(0, y, width, self.BAR), c.track)
            fraction = max(0.0, min(1.0, value / self.scale))
            p.fillRect(QRectF(0, y, max(2.0, fraction * width), self.BAR), c.accent)
            if err > 0:
                lo = max(0.0, (value - err) / self.scale) * width
                hi = min(1.0, (value + err) / self.scale) * width
                p.setPen(c.text)
                mid = y + self.BAR / 2
                p.drawLine(int(lo), int(mid), int(hi), int(mid))
                p.drawLine(int(lo), int(y + 4), int(lo), int(y + self.BAR - 4))
                p.drawLine(int(hi), int(y + 4), int(hi), int(y + self.BAR - 4))
        p.end()
