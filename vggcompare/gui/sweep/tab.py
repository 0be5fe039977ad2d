"""The "Many images" tab: its session listens from the start; its view is built when the tab is first opened."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from vggcompare.gui.session.sweep_session import SweepSession


class SweepTab(QWidget):
    """The tab's page: the SweepView is built when the tab is first opened, not before the window's first paint."""

    def __init__(self, window) -> None:
        super().__init__()
        self._window = window
        self._view = None  # SweepView, built when the tab is first opened
        self.sweeps = SweepSession(window.session, window)  # listens to the runner from the start
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> bool:
        """True once the view was built (the tab was opened)."""
        return self._view is not None

    @property
    def view(self):
        """The tab's SweepView, built on first use (its module, and the report code it uses, load then)."""
        if self._view is None:
            from vggcompare.gui.sweep.view import SweepView
            from vggcompare.gui.common.scrolled import scrolled

            self._view = SweepView(self.sweeps, lambda: self._window.controls.config(None))
            self.layout().addWidget(scrolled(self._view))  # scrolls both ways, so it never widens the window
        return self._view


def add_sweep_tab(window) -> SweepTab:
    """Add the "Many images" tab to the main window; it runs through the window's session."""
    tab = SweepTab(window)
    index = window.tabs.addTab(tab, "Many images")
    window.tabs.currentChanged.connect(lambda current: tab.view if current == index else None)
    return tab
