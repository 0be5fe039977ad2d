"""Small input widgets the controls are built from: a file field and number boxes with units."""

from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFileDialog, QHBoxLayout, QLineEdit, QSpinBox, QToolButton, QWidget


class FileField(QWidget):
    """A path box with a Browse button (and, with ``folder_text``, a button that picks a folder); ``path()`` is ''
    when empty."""

    changed = Signal(str)
    folder_chosen = Signal(str)

    def __init__(self, caption: str, filter_text: str, placeholder: str, parent: QWidget | None = None,
                 folder_text: str = "") -> None:
        super().__init__(parent)
        self.caption, self.filter_text = caption, filter_text
        self.start_folder = ""
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.browse = QToolButton()
        self.browse.setText("Browse…")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.browse)
        self.folder = None
        if folder_text:
            self.folder = QToolButton()
            self.folder.setText(folder_text)
            layout.addWidget(self.folder)
            self.folder.clicked.connect(self._browse_folder)
        self.edit.textChanged.connect(lambda _t: self.changed.emit(self.path()))
        self.browse.clicked.connect(self._browse)

    def path(self) -> str:
        """The chosen path, with ~ expanded, or ''."""
        text = self.edit.text().strip()
        return os.path.expanduser(text) if text else ""

    def set_path(self, path: str | None) -> None:
        """Show ``path`` (None or '' clears the box)."""
        self.edit.setText(path or "")

    def setToolTip(self, text: str) -> None:  # noqa: N802 - Qt naming
        """Set the tooltip on the box and the button."""
        super().setToolTip(text)
        self.edit.setToolTip(text)
        self.browse.setToolTip(text)

    def _browse(self) -> None:
        folder = os.path.dirname(self.path()) or self.start_folder
        path, _ = QFileDialog.getOpenFileName(self, self.caption, folder, self.filter_text)
        if path:
            self.edit.setText(path)

    def _browse_folder(self) -> None:
        folder = os.path.dirname(self.path()) or self.start_folder
        path = QFileDialog.getExistingDirectory(self, self.caption, folder)
        if path:
            self.edit.setText(path)
            self.folder_chosen.emit(path)


def _ranged(box, low, high, value, prefix: str, suffix: str, tip: str):
    """Give a spin box its range, value, unit prefix and suffix, and tooltip (after its own settings)."""
    box.setRange(low, high)
    box.setValue(value)
    box.setPrefix(prefix)
    box.setSuffix(suffix)
    box.setToolTip(tip)
    return box


def int_box(low: int, high: int, value: int, suffix: str = "", tip: str = "") -> QSpinBox:
    """A whole-number box with a range, a unit suffix and a tooltip."""
    box = QSpinBox()
    box.setAccelerated(True)
    box.setGroupSeparatorShown(True)
    return _ranged(box, low, high, value, "", suffix, tip)


def float_box(low: float, high: float, value: float, step: float, decimals: int, prefix: str = "", suffix: str = "", tip: str = "") -> QDoubleSpinBox:
    """A number box with a range, step, unit prefix/suffix and a tooltip."""
    box = QDoubleSpinBox()
    box.setDecimals(decimals)  # before the range and value, which it rounds
    box.setSingleStep(step)
    return _ranged(box, low, high, value, prefix, suffix, tip)


def combo(tip: str = "") -> QComboBox:
    """A drop-down that may shrink below its longest entry (the list still shows entries in full)."""
    box = QComboBox()
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(12)
    box.setToolTip(tip)
    return box
