"""Start the desktop window: ``vggcompare`` with no arguments."""

from __future__ import annotations

import os
import sys
from typing import Sequence

from PySide6.QtCore import QEvent, QObject, QTimer

from vggcompare.gui.common.application import ensure_application
from vggcompare.gui.common.xcb_check import MissingSystemLibraries

DEFAULT_SAMPLE = "cat"


def no_screen() -> bool:
    """True on Linux with no X or Wayland display and no Qt platform chosen explicitly."""
    return (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")))


def main(argv: Sequence[str] | None = None, present: bool = False, open_result: str | None = None) -> int:
    """Open the window with a bundled sample loaded; the engine process starts once the window is painted.

    ``present``: start in presenter mode (View → Present). ``open_result``: a result file to import and show.
    """
    from vggcompare.core.resources import sample_path
    from vggcompare.gui.session.engine_pool import shutdown_engines
    from vggcompare.gui.window.main_window import MainWindow

    if no_screen():
        sys.stderr.write("error: no screen to open the window on (DISPLAY is not set); run it on a desktop, "
                         "or use 'vggcompare run' or 'vggcompare screenshot'\n")
        return 2
    try:
        app = ensure_application(argv)
    except MissingSystemLibraries as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    window = MainWindow()

    def after_first_paint() -> None:  # file and engine work start once the window is on screen
        window.load_image(str(sample_path(DEFAULT_SAMPLE)))
        window.start_background_work()
        if open_result:
            window.session.open_result_file(open_result)
        if present:
            from vggcompare.gui.present import present as enter

            enter(window)
    app.aboutToQuit.connect(window.shutdown)
    app.aboutToQuit.connect(shutdown_engines)
    start_after_first_paint(window, after_first_paint)
    window.show()
    return int(app.exec())


class _FirstPaint(QObject):
    """Calls ``then`` once, on the event-loop turn after ``widget`` is first painted."""

    def __init__(self, widget, then) -> None:
        super().__init__(widget)
        # Started by an event posted at the first Paint, i.e. once that paint is over, so that timers
        # already due by then (an animation, a tick) run before ``then``: the paint and ``then`` are two
        # turns of the event loop, not one long one. (A posted event alone would run before them.)
        self.timer = QTimer(self, singleShot=True, interval=0, timeout=then)
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        """Wait for the first Paint event, then remove the filter and start the timer once the paint is over."""
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self.timer.start)
        return False


def start_after_first_paint(widget, then) -> None:
    """Start background work (TensorFlow's import) only after the window has been painted once,
    so the import does not compete with the first paint for the GIL."""
    _FirstPaint(widget, then)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
