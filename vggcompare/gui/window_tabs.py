"""The window's three tabs: the Result, History & compare, and the Demonstrations gallery."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from vggcompare.gui.compare.compare_view import CompareView
from vggcompare.gui.compare.gallery import DemoGallery
from vggcompare.gui.compare.history_panel import HistoryPanel
from vggcompare.gui.compare.preset_view import PresetView
from vggcompare.gui.window_layout import scrolled

RESULT_TAB, COMPARE_TAB, DEMOS_TAB = 0, 1, 2


class WindowTabs(QTabWidget):
    """Result, History & compare, Demonstrations; the views inside are plain attributes."""

    def __init__(self, results: QWidget, history_panel: HistoryPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history_panel = history_panel
        self.compare_view = CompareView()
        self.gallery = DemoGallery()
        self.preset_view = PresetView()
        self.preset_view.setVisible(False)  # until a demonstration has run
        split = QSplitter(Qt.Orientation.Vertical)  # the history table on top, the comparison at full width below
        split.addWidget(history_panel)
        split.addWidget(scrolled(self.compare_view))
        split.setSizes([260, 700])
        split.setChildrenCollapsible(False)
        demos = QWidget()
        layout = QVBoxLayout(demos)
        intro = QLabel("<b>Demonstrations</b> — each one runs a small experiment with the model and image chosen on the "
                       "left, and ends on a table whose every number was measured. They are also in the Demos menu.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.gallery)
        layout.addWidget(self.preset_view, 1)
        layout.addStretch(0)
        self.addTab(results, "Result")
        self.addTab(split, "History && compare")
        self.addTab(scrolled(demos, horizontal=False), "Demonstrations")
