"""The checkup's ranked chart as a picture: a QImage, or a PNG file for a report or a slide (``figure --plot checkup``)."""

from __future__ import annotations

import os
from pathlib import Path

from vggcompare.render.figures.paper import ensure_app
from vggcompare.render.plots.checkup_chart import chart_height, draw_checkup_chart


def render_checkup_chart(rows, width: int = 1000, subtitle: str = "", scale: int = 2):
    """The chart as a QImage, ``width`` figure pixels wide at ``scale`` image pixels per figure pixel."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    margin = 12
    height = chart_height(rows, width - 2 * margin) + 2 * margin
    image = QImage(width * scale, height * scale, QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(scale)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        draw_checkup_chart(painter, QRectF(margin, margin, width - 2 * margin, height - 2 * margin), rows, subtitle)
    finally:
        painter.end()
    return image


def write_checkup_chart(rows, path: str | os.PathLike, width: int = 1000, subtitle: str = "", scale: int = 2) -> Path:
    """Write the chart of ``rows`` to a PNG file (atomically), for a report or a slide."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from vggcompare.core.atomic import atomic_write_bytes

    ensure_app()
    image = render_checkup_chart(rows, width, subtitle, scale)
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return atomic_write_bytes(path, bytes(data))
