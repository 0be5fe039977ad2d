"""The window's two columns: the controls and Run on the left, the weights prompt and results on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QSplitter, QVBoxLayout, QWidget

from vggcompare.gui.common.scrolled import scrolled

LEFT_WIDTH, RIGHT_WIDTH = 400, 1200  # initial split at the default 1600-pixel width


class FitLayout(QVBoxLayout):
    """A layout that does not report height-for-width, so a scroll area fills its viewport with it.

    Word-wrapped labels would otherwise make the scroll area ask for the full preferred height and
    scroll although everything fits.
    """

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt naming
        """Never: the scroll area then uses the minimum size instead of the preferred height."""
        return False


def two_columns(controls: QWidget, run_panel: QWidget, prompt: QWidget, results: QWidget) -> tuple[QSplitter, QScrollArea]:
    """Build the splitter; returns it and the results' scroll area."""
    left = QWidget()
    left.setMinimumWidth(300)
    left_layout = FitLayout(left)
    left_layout.setContentsMargins(8, 8, 4, 8)
    left_layout.addWidget(scrolled(controls, horizontal=False), 1)
    left_layout.addWidget(run_panel)
    right = QWidget()
    right_layout = FitLayout(right)
    right_layout.setContentsMargins(8, 8, 8, 8)
    right_layout.addWidget(prompt)
    right_layout.addWidget(results, 1)
    results_area = scrolled(right)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(left)
    splitter.addWidget(results_area)
    splitter.setStretchFactor(1, 1)
    splitter.setSizes([LEFT_WIDTH, RIGHT_WIDTH])
    splitter.setChildrenCollapsible(False)
    return splitter, results_area
