"""Error dialogs: one sentence in the main text, the technical details folded away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from vggcompare.core.errors import VggCompareError


def error_sentence(exc: BaseException) -> str:
    """The message a user reads: the core's own sentence, or the error's type and text."""
    text = " ".join(str(exc).split())
    if isinstance(exc, VggCompareError) and text:
        return text[:1].upper() + text[1:]
    return f"Something unexpected went wrong: {type(exc).__name__}{': ' + text if text else ''}"


def show_error(parent: QWidget, title: str, message: str, details: str = "", hint: str = "") -> QMessageBox:
    """Show a non-blocking, window-modal warning; returns the box (deleted when closed)."""
    box = QMessageBox(parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(message)
    if hint:
        box.setInformativeText(hint)
    if details:
        box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()
    return box
