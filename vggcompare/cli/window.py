"""The window launcher: ``vggcompare`` with no command, or ``vggcompare --present``.

With the screenshot command (:mod:`vggcompare.cli.screenshot`), the one CLI module that imports
:mod:`vggcompare.gui` (an import-linter contract checks it).
"""

from __future__ import annotations


def open_window(present: bool = False, open_result: str | None = None) -> int:
    """Open the window (in presenter mode with ``present``, or showing the result file ``open_result``); return its exit status."""
    from vggcompare.gui.app import main as gui_main

    if open_result is not None:
        return gui_main([], open_result=open_result)
    return gui_main([], present=present)
