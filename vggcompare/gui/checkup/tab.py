"""The Checkup tab: its session listens from the start; its view is built when the tab is first opened (or a
checkup starts), so the window's first paint does not wait for it."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from vggcompare.gui.session.checkup_session import CheckupSession


class CheckupTab(QWidget):
    """The tab's page; ``checkups`` is its controller."""

    def __init__(self, window) -> None:
        super().__init__()
        self._window = window
        self._view = None  # CheckupView, built on first use
        self.checkups = CheckupSession(window.session, window)
        self.checkups.layers = window.settings.checkup_layers()  # the box as the user left it
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> bool:
        """True once the view was built."""
        return self._view is not None

    @property
    def view(self):
        """The tab's CheckupView, built on first use."""
        if self._view is None:
            from vggcompare.gui.checkup.view import CheckupView
            from vggcompare.gui.common.scrolled import scrolled

            self._view = CheckupView(self.checkups)
            self._view.start_requested.connect(self._window.start_checkup)
            self._view.layers_box.toggled.connect(self._window.settings.set_checkup_layers)
            self.layout().addWidget(scrolled(self._view, horizontal=False))
        return self._view


def add_checkup_tab(window, index: int) -> CheckupTab:
    """Put the Checkup tab at ``index`` of the window's tabs and connect the Run panel to its checkups."""
    tab = CheckupTab(window)
    window.tabs.insertTab(index, tab, "Checkup")
    window.tabs.currentChanged.connect(lambda current: tab.view if current == index else None)
    checkups, panel = tab.checkups, window.run_panel
    checkups.progress.connect(panel.show_progress)
    checkups.finished.connect(lambda checkup: panel.show_idle(f"Done: checkup, {len(checkup.rows)} causes", 1, 1))
    checkups.cancelled.connect(lambda measured, total: panel.show_idle(f"Cancelled: {measured} of {total} causes measured"))
    checkups.failed.connect(lambda title, exc, details: _failed(window, title, exc, details))
    return tab


def _failed(window, title: str, exc: BaseException, details: str) -> None:
    from vggcompare.core.errors import WeightsUnavailableError
    from vggcompare.gui.common.dialogs import error_sentence

    window.run_panel.show_idle("Failed")
    if isinstance(exc, WeightsUnavailableError) and window.model_state.weights_missing(str(exc)):
        return  # the weights prompt offers the ways on
    window.show_error(title, error_sentence(exc), details)
