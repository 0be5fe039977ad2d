"""A titled group that opens and closes: a flat arrow button over its content.

Small on purpose: superqt's QCollapsible brings qtpy (and QtOpenGL) into the start-up path, which
cost the window's first paint about 0.3 s here, for an arrow and a hidden widget.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QSizePolicy, QVBoxLayout, QWidget

OPEN, CLOSED = "▼", "▶"


class Collapsible(QWidget):
    """``title`` as a button; clicking it shows or hides the widgets added with :meth:`addWidget`."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.toggle = QPushButton()
        self.toggle.setFlat(True)
        self.toggle.setCheckable(True)
        self.toggle.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.toggle.setStyleSheet("QPushButton { text-align: left; border: none; padding: 6px 2px; background: transparent; }")
        self.toggle.toggled.connect(self._show)
        self.content = QWidget()
        self.content_layout = QVBoxLayout(self.content)
        self.content_layout.setContentsMargins(12, 0, 0, 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toggle)
        layout.addWidget(self.content)
        self._show(False)

    def addWidget(self, widget: QWidget) -> None:  # noqa: N802 - Qt naming, as QCollapsible's
        """Put ``widget`` in the group."""
        self.content_layout.addWidget(widget)

    def isExpanded(self) -> bool:  # noqa: N802 - Qt naming
        """True when the group is open."""
        return self.toggle.isChecked()

    def expand(self, animate: bool = False) -> None:
        """Open the group."""
        self.toggle.setChecked(True)

    def collapse(self, animate: bool = False) -> None:
        """Close the group."""
        self.toggle.setChecked(False)

    def _show(self, open_: bool) -> None:
        self.toggle.setText(f"{OPEN if open_ else CLOSED}  {self.title}")
        self.content.setVisible(open_)
