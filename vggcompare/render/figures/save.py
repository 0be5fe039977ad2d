"""Write a laid-out widget as SVG or PDF (vector: lines stay lines, text stays text) or PNG (1×, 2× or 3×).

The widget paints itself into Qt's own writers (QSvgGenerator, QPdfWriter, QImage), so nothing is
re-plotted by hand. Files are written atomically and never replace an existing file unless asked.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPoint, QRect, QSize, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QWidget

from vggcompare.core.atomic import atomic_write_bytes

FORMATS = {".svg": "SVG", ".pdf": "PDF", ".png": "PNG"}
PNG_SCALES = (1, 2, 3)
TITLE = "vggcompare figure"


def figure_format(path: str | os.PathLike) -> str:
    """'SVG', 'PDF' or 'PNG' from the file's extension; ValueError for any other."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ValueError(f"{Path(path).name}: a figure is written as .svg, .pdf or .png")
    return fmt


@contextmanager
def export_mode(widget: QWidget, resolution_scale: float = 1.0):
    """While inside, the plots in ``widget`` draw for export: points and curves as shapes, no cached pixmaps.

    This is the switch pyqtgraph's own exporters flip (``setExportMode``); the background cache is
    turned off too, so a PDF or SVG holds no picture of the plot, only its lines and text.
    """
    import pyqtgraph as pg

    views = [v for v in [widget, *widget.findChildren(pg.GraphicsView)] if isinstance(v, pg.GraphicsView)]
    modes = [v.cacheMode() for v in views]
    items = [i for v in views for i in v.scene().items() if hasattr(i, "setExportMode")]
    from vggcompare.render.figures.paper import without_ligatures

    for view in views:
        for item in view.scene().items():  # plot labels copy and search as typed ('off', not 'oﬀ')
            if isinstance(item, pg.QtWidgets.QGraphicsTextItem):
                item.setFont(without_ligatures(item.font()))
        view.setCacheMode(pg.QtWidgets.QGraphicsView.CacheModeFlag.CacheNone)
        view.resetCachedContent()
    for item in items:
        item.setExportMode(True, {"antialias": True, "resolutionScale": resolution_scale})
    try:
        yield
    finally:
        for item in items:
            item.setExportMode(False)
        for view, mode in zip(views, modes):
            view.setCacheMode(mode)


def paint(widget: QWidget, painter: QPainter, resolution_scale: float = 1.0) -> None:
    """Let ``widget`` and its children paint themselves with ``painter`` at its top-left corner."""
    with export_mode(widget, resolution_scale):
        QWidget.render(widget, painter, QPoint(0, 0), widget.rect(),  # QWidget's, also for a plot view
                       QWidget.RenderFlag.DrawWindowBackground | QWidget.RenderFlag.DrawChildren)


def _buffer() -> tuple[QByteArray, QBuffer]:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    return data, buf


def svg_bytes(widget: QWidget) -> bytes:
    """The widget as an SVG document, sized in pixels."""
    from PySide6.QtSvg import QSvgGenerator

    data, buf = _buffer()
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setSize(widget.size())
    gen.setViewBox(QRect(QPoint(0, 0), widget.size()))
    gen.setTitle(TITLE)
    gen.setResolution(96)
    painter = QPainter(gen)
    paint(widget, painter)
    painter.end()
    buf.close()
    return bytes(data)


def pdf_bytes(widget: QWidget) -> bytes:
    """The widget as a one-page PDF whose page is the widget (1 pixel = 0.75 point, as on a 96 dpi screen)."""
    data, buf = _buffer()
    writer = QPdfWriter(buf)
    size = QSizeF(widget.width() * 0.75, widget.height() * 0.75)
    writer.setPageLayout(QPageLayout(QPageSize(size, QPageSize.Unit.Point, "figure", QPageSize.SizeMatchPolicy.ExactMatch),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    writer.setResolution(96)
    writer.setTitle(TITLE)
    writer.setCreator("vggcompare")
    painter = QPainter(writer)
    paint(widget, painter)
    painter.end()
    del writer
    buf.close()
    return bytes(data)


def png_bytes(widget: QWidget, scale: int = 1) -> bytes:
    """The widget as a PNG at ``scale`` times its size (2 or 3 for print or high-density slides)."""
    if scale not in PNG_SCALES:
        raise ValueError(f"the PNG scale must be 1, 2 or 3, not {scale}")
    image = QImage(QSize(widget.width() * scale, widget.height() * scale), QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(widget.palette().window().color())
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    paint(widget, painter, scale)
    painter.end()
    data, buf = _buffer()
    if not image.save(buf, "PNG"):
        raise OSError("the picture could not be encoded as PNG")
    buf.close()
    return bytes(data)


def figure_bytes(widget: QWidget, path: str | os.PathLike, scale: int = 1) -> bytes:
    """``widget`` drawn in memory as the SVG, PDF or PNG that ``path``'s extension names (no file is touched)."""
    fmt = figure_format(path)
    return svg_bytes(widget) if fmt == "SVG" else pdf_bytes(widget) if fmt == "PDF" else png_bytes(widget, scale)


def save_figure(widget: QWidget, path: str | os.PathLike, scale: int = 1, overwrite: bool = False) -> Path:
    """Write ``widget`` to ``path`` as SVG, PDF or PNG (by extension), atomically."""
    target = Path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target.name} already exists; choose another name or allow replacing it")
    return atomic_write_bytes(target, figure_bytes(widget, path, scale))
