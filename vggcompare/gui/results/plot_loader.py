"""pyqtgraph imported on a thread once the window is on screen, then the plots built one per event-loop turn.

Importing pyqtgraph takes about half a second, which the first screen does not need (its plots show
messages until a run). Imported on the GUI thread after the first paint, it would freeze the window
for that long; on a thread it mostly runs Python code, which hands the GIL back between bytecodes
(Python's switch interval is 0.5 ms while it runs), so the window keeps answering. Qt objects are still only made on the GUI thread.
"""

from __future__ import annotations

import importlib
import sys
import threading
from typing import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal

PLOTTING_MODULE = "vggcompare.gui.results.plotting"
# While the import runs, the GIL changes hands every 0.5 ms instead of Python's 5 ms: each Qt event the
# window handles in Python (a timer, a paint with an event filter) waits for the GIL, and with 5 ms
# per wait a repaint that calls Python ten times took 50 ms.
IMPORT_SWITCH_INTERVAL_S = 0.0005


class PlotLoader(QObject):
    """Imports the plotting module on a thread, then calls each of ``steps`` on its own event-loop turn."""

    imported = Signal(str)  # "" when the import worked, else the error's text (from the import thread)
    finished = Signal()

    def __init__(self, steps: Sequence[Callable[[], object]], parent: QObject | None = None,
                 module: str = PLOTTING_MODULE) -> None:
        super().__init__(parent)
        self.steps = list(steps)
        self.module = module
        self.error = ""
        self._next = QTimer(self, singleShot=True, interval=0, timeout=self._step)
        self.imported.connect(self._on_imported)  # queued: emitted from the import thread

    def start(self) -> None:
        """Begin the import in the background (returns at once)."""
        threading.Thread(target=self._import, name="import-pyqtgraph", daemon=True).start()

    def _import(self) -> None:
        interval = sys.getswitchinterval()
        sys.setswitchinterval(IMPORT_SWITCH_INTERVAL_S)
        try:
            importlib.import_module(self.module)
        except Exception as exc:  # noqa: BLE001 - reported on the GUI thread; the plots then import on demand
            self.imported.emit(f"{type(exc).__name__}: {exc}")
            return
        finally:
            sys.setswitchinterval(interval)
        self.imported.emit("")

    def _on_imported(self, error: str) -> None:
        self.error = error
        if error:  # the GUI thread will meet the same error at the first result, and show it then
            self.finished.emit()
            return
        self._next.start()

    def _step(self) -> None:
        if self.steps:
            self.steps.pop(0)()
        if self.steps:
            self._next.start()
        else:
            self.finished.emit()
