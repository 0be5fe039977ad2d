"""Presenter mode's window: full screen over the main window, one step at a time, keys a clicker sends.

Right, Space or Page Down: Next (on a question: show the answer). Left, Backspace or Page Up: Back.
Esc or F11: back to the normal window, as it was; a demonstration still going is cancelled.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from vggcompare.core.studies.presets.registry import PRESETS
from vggcompare.gui.present.deck import ANSWER, QUESTION, RESULT, Deck, Step
from vggcompare.gui.present.pages import AnswerPage, QuestionPage, ResultPage, label
from vggcompare.gui.present.runs import DemoRuns
from vggcompare.gui.present.style import BODY_PT, font

NEXT_KEYS = (Qt.Key.Key_Right, Qt.Key.Key_Space, Qt.Key.Key_PageDown)
BACK_KEYS = (Qt.Key.Key_Left, Qt.Key.Key_Backspace, Qt.Key.Key_PageUp)
LEAVE_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_F11)


def _button(text: str, slot) -> QPushButton:
    button = QPushButton(text)
    button.setFont(font(button.font(), BODY_PT))
    button.setStyleSheet("padding: 8px 28px;")
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space is Next, never "click the focused button"
    button.clicked.connect(slot)
    return button


class PresentWindow(QWidget):
    """The run shown, then each demonstration as a question and its answer; ``main`` is the main window."""

    def __init__(self, main) -> None:
        super().__init__(main, Qt.WindowType.Window)
        self.main = main
        self.setWindowTitle("vggcompare — presenter mode")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.deck = Deck(list(PRESETS))
        self.runs = DemoRuns(self._start, self)
        self.runs.changed.connect(self._on_run_changed)
        self.run_demonstrations = True  # False: the screenshot shows a question without running it
        self._tab = None  # the main window's tab when presenter mode began
        self.result_page, self.question_page, self.answer_page = ResultPage(), QuestionPage(), AnswerPage()
        self.pages = QStackedWidget()
        for page in (self.result_page, self.question_page, self.answer_page):
            self.pages.addWidget(page)
        self.back_button = _button("← Back", self.back)
        self.next_button = _button("Next →", self.next)
        self.leave_button = _button("Leave (Esc)", self.leave)
        self.position = label("", muted=True)
        bar = QHBoxLayout()
        bar.addWidget(self.back_button)
        bar.addWidget(self.next_button)
        bar.addSpacing(32)
        bar.addWidget(self.position, 1)
        bar.addWidget(self.leave_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 48, 64, 32)
        layout.addWidget(self.pages, 1)
        layout.addSpacing(16)
        layout.addLayout(bar)
        session = main.session
        session.result_ready.connect(lambda _r: self._refresh_result())
        session.image_changed.connect(lambda _i: self._refresh_result())

    @property
    def active(self) -> bool:
        """True while presenter mode is on."""
        return self.isVisible()

    # ---- entering and leaving --------------------------------------------------------------
    def enter(self, step: Step | None = None) -> None:
        """Go full screen at ``step`` (default: the run shown); outcomes of an earlier presentation are forgotten."""
        if not self.active:
            self._tab = self.main.tabs.currentIndex()
            self.runs.clear()
        self.deck.go(step or Step(RESULT))
        self.showFullScreen()
        screen = self.main.screen()
        if screen is not None and self.geometry() != screen.geometry():
            self.setGeometry(screen.geometry())  # the whole screen even where no window manager makes it full screen
            self.setWindowState(self.windowState() | Qt.WindowState.WindowFullScreen)
        self.raise_()
        self.activateWindow()
        self.setFocus()
        self.show_step()

    def leave(self) -> None:
        """Back to the normal window, on the tab it showed; a demonstration going is cancelled."""
        if not self.active:
            return
        self.runs.cancel()
        self.hide()
        if self._tab is not None:
            self.main.tabs.setCurrentIndex(self._tab)
        self.main.activateWindow()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """Closing this window (the window manager's close) leaves presenter mode the same way."""
        self.leave()
        super().closeEvent(event)

    # ---- moving ----------------------------------------------------------------------------
    def next(self) -> None:
        """One step on (on a question: show its answer)."""
        if self.deck.next():
            self.show_step()

    def back(self) -> None:
        """One step back."""
        if self.deck.back():
            self.show_step()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """Next, Back and leave, from the keyboard or a presentation clicker."""
        key = event.key()
        if key in NEXT_KEYS:
            self.next()
        elif key in BACK_KEYS:
            self.back()
        elif key in LEAVE_KEYS:
            self.leave()
        else:
            super().keyPressEvent(event)

    def show_step(self) -> None:
        """Show the deck's current step; a question (or an answer never run) starts its demonstration if it has no outcome."""
        step = self.deck.current
        if step.kind != RESULT and step.name != self.runs.running:
            self.runs.cancel()  # a demonstration left behind stops
        if step.kind != RESULT and self.run_demonstrations and (step.kind == QUESTION or self.runs.state(step.name) == "idle"):
            self.runs.ensure(step.name)  # a failure is tried again from its question, not from its answer
        self._draw(step)

    def _draw(self, step: Step) -> None:
        if step.kind == RESULT:
            self.pages.setCurrentWidget(self.result_page)
            self._refresh_result()
        else:
            state, line = self.runs.state(step.name), self._line(step.name)
            if step.kind == QUESTION:
                self.pages.setCurrentWidget(self.question_page)
                self.question_page.show_question(step.name, state, line)
            else:
                self.pages.setCurrentWidget(self.answer_page)
                self.answer_page.show_answer(step.name, state, self.runs.outcomes.get(step.name), line)
        last = self.deck.index + 1 == len(self.deck.steps)
        self.next_button.setText("Show the answer →" if step.kind == QUESTION else "Next →")
        self.next_button.setEnabled(not last)
        self.back_button.setEnabled(self.deck.index > 0)
        self.position.setText(f"{self.deck.position()} · → or Space: next · ←: back")

    def _line(self, name: str) -> str:
        return self.runs.failures.get(name) or self.runs.progress.get(name, "")

    def _refresh_result(self) -> None:
        if self.deck.current.kind == RESULT:
            self.result_page.show_result(self.main.session.result, self.main.session.image)

    def _on_run_changed(self, name: str) -> None:
        if self.active and self.deck.current.name == name:
            self._draw(self.deck.current)

    # ---- running ---------------------------------------------------------------------------
    def _start(self, name: str):
        """Start ``name`` the way the Demos menu does; (its handle, or None and why it did not start)."""
        handle = self.main.start_preset(name)
        if handle is not None:
            return handle, ""
        if self.main.session.image is None:
            return None, "open an image first."
        return None, "the normal window says why (Esc shows it)."  # a setting it refuses, or a sweep it did not pause
