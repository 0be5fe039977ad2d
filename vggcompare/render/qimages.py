"""Conversions between NumPy/Pillow pictures and Qt images (no copies shared with NumPy)."""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap


def array_to_qimage(array: np.ndarray) -> QImage:
    """An HxWx3 uint8 array as an RGB QImage that owns its pixels."""
    pixels = np.ascontiguousarray(array, dtype=np.uint8)
    height, width = pixels.shape[:2]
    image = QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return image.copy()


def pil_to_pixmap(picture: Image.Image, max_side: int | None = None) -> QPixmap:
    """A Pillow RGB picture as a pixmap, first shrunk so its longer side is at most ``max_side``."""
    if max_side is not None and max(picture.size) > max_side:
        picture = picture.copy()
        picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return QPixmap.fromImage(array_to_qimage(np.asarray(picture.convert("RGB"))))


def qimage_to_array(image: QImage) -> np.ndarray:
    """A QImage (any format) as an HxWx3 uint8 RGB array; transparency is composited on white."""
    if image.hasAlphaChannel():
        flat = QImage(image.size(), QImage.Format.Format_RGB888)
        flat.fill(Qt.GlobalColor.white)
        painter = QPainter(flat)
        painter.drawImage(0, 0, image)
        painter.end()
        image = flat
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    buffer = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


def model_input_pixmap(pixels: np.ndarray, box: int) -> tuple[QPixmap, int]:
    """The model's input (float 0..255) as a pixmap enlarged by a whole factor to fit ``box``; returns (pixmap, factor)."""
    array = np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
    height, width = array.shape[:2]
    factor = max(1, box // max(height, width))
    pixmap = QPixmap.fromImage(array_to_qimage(array))
    if factor > 1:
        pixmap = pixmap.scaled(width * factor, height * factor, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
    elif max(height, width) > box:
        pixmap = pixmap.scaled(box, box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        factor = 0  # shown smaller than its real size
    return pixmap, factor
