"""The window's tabs: the Result, the Checkup, History & compare, the Demonstrations gallery (and Many images).

The Checkup (:mod:`vggcompare.gui.checkup.tab`) and Many images (:mod:`vggcompare.gui.sweep.tab`) pages are
added by the window; the indices below are those of the finished window."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from vggcompare.gui.demos.gallery import DemoGallery
from vggcompare.gui.history.panel import HistoryPanel
from vggcompare.gui.common.scrolled import scrolled

RESULT_TAB, CHECKUP_TAB, COMPARE_TAB, DEMOS_TAB = 0, 1, 2, 3


class WindowTabs(QTabWidget):
    """Result, History & compare, Demonstrations.

    The comparison and the demonstration's outcome (five plots between them) are built when first needed:
    when their tab is opened or something is shown in them, not before the window's first paint.
    """

    compare_view_built = Signal(object)  # the CompareView, once built

    def __init__(self, results: QWidget, history_panel: HistoryPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history_panel = history_panel
        self._compare_view = None  # CompareView, built on first use
        self._preset_view = None  # PresetView, built on first use
        self.gallery = DemoGallery()
        self._split = QSplitter(Qt.Orientation.Vertical)  # the history table on top, the comparison at full width below
        self._split.addWidget(history_panel)
        self._split.setChildrenCollapsible(False)
        demos = QWidget()
        layout = self._demos_layout = QVBoxLayout(demos)
        intro = QLabel("<b>Demonstrations</b> — each one runs a small experiment with the model and image chosen on the "
                       "left, and ends on a table whose every number was measured. They are also in the Demos menu.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.gallery)
        layout.addStretch(1)
        self.addTab(results, "Result")
        self.addTab(self._split, "History && compare")
        self.addTab(scrolled(demos, horizontal=False), "Demonstrations")
        self.currentChanged.connect(self._build_for_tab)

    @property
    def compare_view(self):
        """The comparison of two runs (built on first use)."""
        if self._compare_view is None:
            from vggcompare.gui.compare.compare_view import CompareView

            self._compare_view = CompareView()
            self._split.addWidget(scrolled(self._compare_view))
            self._split.setSizes([260, 700])
            self.compare_view_built.emit(self._compare_view)
        return self._compare_view

    @property
    def preset_view(self):
        """The outcome of the last demonstration (built on first use; hidden until one has run)."""
        if self._preset_view is None:
            from vggcompare.gui.demos.preset_view import PresetView

            self._preset_view = PresetView()
            self._preset_view.setVisible(False)
            self._demos_layout.insertWidget(2, self._preset_view, 1)
            self._demos_layout.setStretch(3, 0)
        return self._preset_view

    def _build_for_tab(self, index: int) -> None:
        if index == COMPARE_TAB:
            self.compare_view  # noqa: B018 - building it is the point
        elif index == DEMOS_TAB:
            self.preset_view  # noqa: B018
