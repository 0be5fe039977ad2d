"""Drawing explanation maps: a colour table, a map as an image, a map over a picture, and a colour bar.

Only drawing happens here: the maps, their mean, std and differences come from the core.
A 224×224 map is one table look-up (NumPy) and one QImage.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from vggcompare.render.qimages import array_to_qimage

# (position, RGB): a dark-to-bright scale (after matplotlib's inferno) and a blue-white-red one for differences
SEQUENTIAL = ((0.0, (0, 0, 4)), (0.25, (87, 16, 110)), (0.5, (188, 55, 84)), (0.75, (249, 142, 9)), (1.0, (252, 255, 164)))
DIVERGING = ((0.0, (33, 102, 172)), (0.5, (247, 247, 247)), (1.0, (178, 24, 43)))


def colour_table(anchors=SEQUENTIAL) -> np.ndarray:
    """(256, 3) uint8: the colours of 256 even steps between the anchors."""
    where = np.linspace(0.0, 1.0, 256)
    spots = [a[0] for a in anchors]
    return np.stack([np.interp(where, spots, [a[1][c] for a in anchors]) for c in range(3)], axis=1).round().astype(np.uint8)


_TABLES = {False: colour_table(SEQUENTIAL), True: colour_table(DIVERGING)}


def heat_image(values: np.ndarray, low: float, high: float, diverging: bool = False) -> QImage:
    """The map ``values`` (H, W) coloured from ``low`` to ``high`` (clipped) as an RGB QImage."""
    v = np.asarray(values, dtype=np.float32)
    span = high - low if high > low else 1.0
    steps = np.clip(np.rint((v - low) / span * 255), 0, 255).astype(np.uint8)
    return array_to_qimage(_TABLES[diverging][steps])


def map_range(values: np.ndarray) -> tuple[float, float]:
    """The colour scale of a map: 0 to its largest value (or -m to m when it has negative values)."""
    v = np.asarray(values)  # float16 maps stay float16: their min and max are exact without a float32 copy
    low, high = float(v.min()), float(v.max())
    if low < 0:
        m = max(-low, high)
        return -m, m
    return 0.0, high if high > 0 else 1.0


def overlay(background: QImage | None, heat: QImage, opacity: float, side: int) -> QPixmap:
    """``heat`` over ``background`` (both scaled to ``side`` px, the longer side) at ``opacity`` (0 to 1)."""
    size = heat.size().scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio)
    out = QPixmap(size)
    out.fill(Qt.GlobalColor.black)
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    target = QRectF(0, 0, size.width(), size.height())
    if background is not None:
        painter.drawImage(target, background)
        painter.setOpacity(opacity)
    painter.drawImage(target, heat)
    painter.end()
    return out


def two_maps(picture: QImage | None, left: np.ndarray, right: np.ndarray, scale: tuple[float, float], side: int,
             opacity: float) -> QPixmap:
    """Two maps over the same picture, side by side 4 px apart, both coloured on ``scale`` (a flip's pair)."""
    a, b = (overlay(picture, heat_image(m, *scale), opacity, side) for m in (left, right))
    out = QPixmap(a.width() + b.width() + 4, max(a.height(), b.height()))
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    painter.drawPixmap(0, 0, a)
    painter.drawPixmap(a.width() + 4, 0, b)
    painter.end()
    return out


class ColourBar(QWidget):
    """A vertical colour bar with its top and bottom values."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.low, self.high, self.diverging = 0.0, 1.0, False
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)

    def set_scale(self, low: float, high: float, diverging: bool = False) -> None:
        """Show the scale from ``low`` to ``high``."""
        self.low, self.high, self.diverging = low, high, diverging
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        """Room for the bar and a number beside it."""
        return QSize(self.fontMetrics().horizontalAdvance("-0.000") + 22, 160)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt naming
        """The gradient, then the two values."""
        painter = QPainter(self)
        metrics = self.fontMetrics()
        top, bottom = metrics.height() // 2, self.height() - metrics.height() // 2
        gradient = QLinearGradient(0, bottom, 0, top)
        for spot, rgb in (DIVERGING if self.diverging else SEQUENTIAL):
            gradient.setColorAt(spot, QColor(*rgb))
        painter.fillRect(QRectF(0, top, 12, max(1, bottom - top)), gradient)
        painter.setPen(self.palette().windowText().color())
        for value, y in ((self.high, top), (self.low, bottom)):
            painter.drawText(16, y + metrics.ascent() // 2, f"{value:.3g}")
        if self.diverging:
            painter.drawText(16, (top + bottom) // 2 + metrics.ascent() // 2, "0")
        painter.end()
