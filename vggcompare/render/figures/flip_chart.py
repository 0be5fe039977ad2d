"""A sweep's flip-rate chart written as a PNG (for a README or a slide)."""

from __future__ import annotations

import os
from pathlib import Path

from vggcompare.core.atomic import atomic_write_bytes
from vggcompare.render.figures.paper import ensure_app
from vggcompare.render.plots.flip_chart import draw_flip_chart


def write_chart_png(summary: dict, path: str | os.PathLike, width: int = 1000) -> Path:
    """Draw the flip-rate chart to a PNG file (for a README or a slide)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    ensure_app()
    height = 90 + 34 * max(len(summary["variants"]), 1)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    draw_flip_chart(painter, QRectF(10, 10, width - 20, height - 20), summary)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return atomic_write_bytes(path, bytes(data))
