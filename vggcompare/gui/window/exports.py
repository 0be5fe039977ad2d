"""Export for reports: PNG of any panel or the whole window (1× or 2×), the clipboard, CSV, JSON and PDF.

Every file is written atomically. Save dialogs ask before replacing an existing file; the
functions below refuse to replace one unless ``overwrite`` is True.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QFileDialog, QWidget

from vggcompare.core.storage import export
from vggcompare.core.atomic import atomic_write_bytes


def render(widget: QWidget, scale: float = 1.0) -> QPixmap:
    """Render a widget to a pixmap at ``scale`` times its size (2 gives a sharp print copy)."""
    size = widget.size()
    pixmap = QPixmap(int(size.width() * scale), int(size.height() * scale))
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(widget.palette().window().color())
    widget.render(pixmap, QPoint(0, 0))
    return pixmap


def png_bytes(widget: QWidget, scale: float = 1.0) -> bytes:
    """A PNG of ``widget`` at ``scale``, in memory (no file is touched)."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not render(widget, scale).toImage().save(buf, "PNG"):
        raise OSError("the picture could not be encoded as PNG")
    buf.close()
    return bytes(data)


def save_png(widget: QWidget, path: str | os.PathLike, scale: float = 1.0, overwrite: bool = False) -> Path:
    """Save a PNG of ``widget`` at ``scale`` atomically; refuse to replace a file unless allowed."""
    target = Path(path)
    if target.exists() and not overwrite:
        raise export.ExportExists(f"{target} already exists; choose another name or allow overwriting")
    return atomic_write_bytes(target, png_bytes(widget, scale))


def copy_to_clipboard(widget: QWidget, scale: float = 1.0) -> None:
    """Put a picture of ``widget`` on the clipboard."""
    QGuiApplication.clipboard().setPixmap(render(widget, scale))


def ask_save_path(parent: QWidget, title: str, suggested: str, filters: str) -> str | None:
    """Ask where to save; the dialog itself confirms before replacing a file. None if cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return path or None


EXPORTERS = {
    "csv-stats": ("Per-class statistics (CSV)", "CSV files (*.csv)", ".csv", export.export_class_statistics),
    "csv-passes": ("Per-pass probabilities (CSV)", "CSV files (*.csv)", ".csv", export.export_pass_probabilities),
    "csv-environment": ("Environment: CPU, kernels, backend, versions (CSV)", "CSV files (*.csv)", ".csv", export.export_environment),
    "json": ("Full result (JSON)", "JSON files (*.json)", ".json", export.export_json),
}
