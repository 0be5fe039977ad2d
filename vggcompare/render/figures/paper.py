"""Widgets drawn for paper: a light palette whatever the window's theme, laid out offscreen at a set size."""

from __future__ import annotations

import os

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget


def ensure_app() -> QApplication:
    """Return the running QApplication (the window's), or create an offscreen one: reports and figures
    made from the command line never open a window or need a screen."""
    app = QApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    return app


def without_ligatures(font: QFont) -> QFont:
    """``font`` with ligatures off, so text copied or searched from a PDF reads 'differ', not 'diﬀer'."""
    font = QFont(font)
    for tag in ("liga", "clig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def paper_palette() -> QPalette:
    """Black text on white: what a report page or a slide figure is printed with."""
    palette = QPalette(QApplication.palette())
    for role, colour in ((QPalette.ColorRole.Window, "#ffffff"), (QPalette.ColorRole.Base, "#ffffff"),
                         (QPalette.ColorRole.WindowText, "#111111"), (QPalette.ColorRole.Text, "#111111"),
                         (QPalette.ColorRole.AlternateBase, "#f2f5fa"), (QPalette.ColorRole.Button, "#f4f4f4"),
                         (QPalette.ColorRole.ButtonText, "#111111")):
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Disabled):
            palette.setColor(group, role, QColor(colour))
    return palette


def lay_out(widget: QWidget, width: int, height: int | None = None) -> QWidget:
    """Give ``widget`` its size and let Qt lay it out, without showing it on any screen.

    ``height`` None means the height the layout asks for at that width.
    """
    widget.setAutoFillBackground(True)
    widget.ensurePolished()
    if height is None:
        if widget.layout() is not None:
            widget.layout().activate()
        hint = widget.heightForWidth(width) if widget.hasHeightForWidth() else -1
        height = max(hint, widget.sizeHint().height())
    widget.resize(width, height)
    if widget.layout() is not None:
        widget.layout().activate()
    widget.grab()  # delivers the pending resize events, so the plots know their size
    for _ in range(3):  # then the plots' ranges and point labels follow it
        QApplication.processEvents()
    return widget


def discard(widget: QWidget) -> None:
    """Hide and delete a widget made for one drawing."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()
