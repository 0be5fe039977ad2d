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


HELP_TEXT = (
    "<p><b>What this window does.</b> It sends one picture through an image classifier N times "
    "(N passes) and shows whether the answers change, and why.</p>"
    "<p><b>Left:</b> the experiment. Switch the random sources on or off (augmentation, dropout, new "
    "weights every pass) and choose how they are seeded. Press <b>Run</b> (Ctrl+R); Esc cancels.</p>"
    "<p><b>Banner:</b> the verdict in plain words: did the passes differ, by how much, and because of what.</p>"
    "<p><b>Top 5:</b> the five most likely classes. The bar is the mean probability over the passes, the "
    "thick line with caps spans ± one standard deviation, and the thin line below runs from the lowest to "
    "the highest pass.</p>"
    "<p><b>Spread of every class:</b> how much each class's probability moved between passes (variance or "
    "standard deviation). The top-5 classes are blue and numbered; hover any point for its name. When "
    "nothing moved, it says so.</p>"
    "<p><b>Pass by pass:</b> the top-5 probabilities in every pass; flat lines mean identical passes.</p>"
    "<p><b>What the model saw:</b> the first inputs after resizing and augmentation, with what was done to each.</p>"
    "<p><b>View → Present</b> (F11): full screen in large type for a room, the run and then each demonstration as a "
    "question and its answer. → or Space: next; ←: back; Esc: back to this window.</p>"
)


def show_help(parent: QWidget) -> QMessageBox:
    """Explain, in plain words, how to read the window (non-blocking)."""
    box = QMessageBox(parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("How to read this window")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(HELP_TEXT)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()
    return box
