"""A progress bar's value set without the synchronous repaint ``QProgressBar.setValue`` makes.

``setValue`` repaints at once when the bar visibly moves, and a repaint then paints every region of the window that
is waiting to be painted (a table or chart just changed), in the middle of the slot that moved the bar; the next
turn of the event loop paints again what changed after it. Set this way the bar is painted with the rest, once.
"""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar


def set_bar(bar: QProgressBar, value: int, maximum: int | None = None) -> None:
    """Move ``bar`` to ``value`` (and its range to 0..``maximum`` when given); it is painted on the next turn."""
    bar.setUpdatesEnabled(False)  # setValue's repaint() does nothing while updates are off
    try:
        if maximum is not None:
            bar.setRange(0, maximum)
        bar.setValue(value)
    finally:
        bar.setUpdatesEnabled(True)  # schedules an ordinary update()
