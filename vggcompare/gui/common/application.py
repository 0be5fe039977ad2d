"""The one QApplication of the window's process, named for its settings, offscreen when there is no display."""

from __future__ import annotations

import os
import sys
from typing import Sequence

from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from vggcompare import __version__
from vggcompare.gui.common.settings import APPLICATION, ORGANIZATION
from vggcompare.gui.common.xcb_check import require_xcb_libraries

# Harmless notices of Qt's offscreen platform, printed on every window; not worth a user's attention.
QUIET_QT_MESSAGES = ("This plugin does not support propagateSizeHints()", "This plugin does not support raise()")


def _qt_message(kind: QtMsgType, _context, message: str) -> None:
    """Print Qt's messages as Qt would, minus the offscreen platform's harmless notices."""
    if message in QUIET_QT_MESSAGES:
        return
    if kind != QtMsgType.QtDebugMsg:
        sys.stderr.write(f"{message}\n")


def ensure_application(argv: Sequence[str] | None = None) -> QApplication:
    """Return the running QApplication, or create one (offscreen when there is no display).

    Raises MissingSystemLibraries, before Qt would abort, when its xcb plugin lacks system libraries.
    """
    app = QApplication.instance()
    if app is not None:
        return app  # type: ignore[return-value]
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    require_xcb_libraries()
    qInstallMessageHandler(_qt_message)
    app = QApplication(list(argv) if argv else [sys.argv[0] if sys.argv else "vggcompare"])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("vggcompare")
    app.setApplicationVersion(__version__)
    return app
