"""A guard against a crash in the installed Qt binding (PySide6 6.12 on Python 3.11)."""

from __future__ import annotations

import ctypes
import sys

IMMORTAL_MARGIN = 1 << 40  # references added to None: more than any process will ever drop


def _pyside_version() -> tuple[int, ...]:
    """PySide6's (major, minor): from the module when it is imported already, else from its installed metadata
    (15 ms, where importing PySide6 to read it costs about 90 ms in a command that draws nothing)."""
    try:
        module = sys.modules.get("PySide6")
        if module is not None:
            text = module.__version__
        else:
            from importlib.metadata import version

            text = version("shiboken6")  # installed with every PySide6 distribution, at its version
        return tuple(int(p) for p in text.split(".")[:2])
    except (ImportError, AttributeError, ValueError):
        return (0, 0)


def guard_none_refcount() -> bool:
    """Keep None's reference count from ever reaching zero; True if the guard was applied.

    PySide6 6.12.0 drops one reference to ``None`` each time Python calls a Qt method that returns
    nothing (``update()``, ``setPen()``, ``processEvents()``, …): measured as -100 references per 100
    calls here, and not in PySide6 6.11.3. Python 3.12 made None immortal, so only older Pythons
    suffer: after some hundred thousand calls (minutes of painting and hovering) the interpreter
    aborts with "none_dealloc: deallocating None". Adding a huge count once makes None as good as
    immortal, which is what Python 3.12 does. The better fix is a PySide6 release without the bug.
    """
    if sys.version_info >= (3, 12) or _pyside_version() < (6, 12):
        return False
    if getattr(sys, "_vggcompare_none_guard", False):
        return True
    ctypes.c_ssize_t.from_address(id(None)).value += IMMORTAL_MARGIN
    sys._vggcompare_none_guard = True  # type: ignore[attr-defined]
    return True
