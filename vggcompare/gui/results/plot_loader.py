"""pyqtgraph loaded once the window is on screen, in small pieces on the GUI thread, then the plots built.

Importing pyqtgraph takes about half a second, which the first screen does not need (its plots show
messages until a run). Imported in one go after the first paint, it would freeze the window for that
long. Imported on another thread, it crashed the window (a segmentation fault in 2 of about 135
launches under Xvfb): pyqtgraph touches every class of PySide6's modules, and PySide6 creates those
classes lazily, which is not safe while the GUI thread uses PySide6 too.

So the GUI thread does it, a few milliseconds per event-loop turn: first the standard modules that
pyqtgraph imports, then PySide6's classes one group at a time (pyqtgraph's import then finds them
made), pyqtgraph's sources into Python's line cache, then pyqtgraph itself (its own modules, about 45 ms, the one long turn), then each plot.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import linecache
import sys
import time
from functools import partial
from pathlib import Path
from typing import Callable, Iterator, Sequence

from PySide6.QtCore import QObject, QTimer, Signal

PLOTTING_MODULE = "vggcompare.render.plots.plotting"
# What `import pyqtgraph` (0.13) imports besides itself, found by comparing sys.modules before and after
# it in the window's process. A module missing here is simply imported with pyqtgraph.
WARM_UP_MODULES = ("locale", "subprocess", "decimal", "cProfile", "gc", "colorama", "xml.etree.ElementTree",
                   "numpy.typing", "pkgutil", "sysconfig", "pydoc", "mmap", "multiprocessing.connection")
PYQTGRAPH_NOT_IMPORTED = ("examples", "opengl", "flowchart", "canvas", "console", "dockarea", "jupyter")
QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtOpenGL", "QtOpenGLWidgets", "QtSvg", "QtTest")
TURN_BUDGET_S = 0.008  # small pieces are chained until this much of a turn is used

Piece = tuple  # (callable, alone): alone marks a long piece that gets a turn of its own


class PlotLoader(QObject):
    """Imports the plotting module in pieces on the GUI thread, then calls each of ``steps`` on its own turn."""

    finished = Signal()

    def __init__(self, steps: Sequence[Callable[[], object]], parent: QObject | None = None,
                 module: str = PLOTTING_MODULE) -> None:
        super().__init__(parent)
        self.steps = list(steps)
        self.module = module
        self.error = ""  # the first error of a piece, if any (without pyqtgraph the plots fail at the first result)
        self._pieces: Iterator[Piece] | None = None
        self._waiting: Piece | None = None  # a long piece put off to the next turn
        self._compiled = PreparedModules()
        self._next = QTimer(self, singleShot=True, interval=0, timeout=self._turn)

    def start(self) -> None:
        """Begin; the pieces follow on later turns of the event loop (returns at once)."""
        if self._pieces is None:
            self._pieces = self._all_pieces()
            self._next.start()

    def _all_pieces(self) -> Iterator[Piece]:
        for name in WARM_UP_MODULES:
            yield partial(_try_import, name), False
        for name in QT_MODULES:
            imported: list = []
            yield (lambda n=name: imported.append(_try_import(f"PySide6.{n}"))), False
            module = imported[0]
            for attribute in dir(module) if module is not None else ():
                yield partial(getattr, module, attribute, None), False  # PySide6 makes the class now, here
        for path in _pyqtgraph_sources():
            yield partial(linecache.getlines, path), False
            yield partial(self._compiled.prepare, path), False
        yield self._import_plotting, True
        if not self.error:
            for step in self.steps:
                yield step, True

    def _import_plotting(self) -> None:
        sys.meta_path.insert(0, self._compiled)
        try:
            importlib.import_module(self.module)
        except Exception as exc:  # noqa: BLE001 - kept for the caller; without pyqtgraph no plot can be built
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            sys.meta_path.remove(self._compiled)
            self._compiled.codes.clear()

    def _turn(self) -> None:
        deadline = time.perf_counter() + TURN_BUDGET_S
        ran = 0
        while True:
            piece, self._waiting = self._waiting or next(self._pieces, None), None
            if piece is None:
                self.finished.emit()
                return
            run, alone = piece
            if alone and ran:
                self._waiting = piece
                break
            try:
                run()
            except Exception as exc:  # noqa: BLE001 - one piece failing must not stop the rest (the engine waits for the end)
                self.error = self.error or f"{type(exc).__name__}: {exc}"
            ran += 1
            if alone or time.perf_counter() >= deadline:
                break
        self._next.start()


class PreparedModules:
    """pyqtgraph's modules found and their bytecode read beforehand, a piece at a time; during the import
    they are executed from that (a meta-path finder), which halves the long piece (57 -> 30 ms measured).

    A module that could not be prepared is imported the usual way. Each module ends up with its usual
    spec and loader; nothing is prepared or found once the import is over.
    """

    def __init__(self) -> None:
        self.codes: dict[str, tuple] = {}  # module name -> (spec, code)
        self.site: Path | None = None  # the folder holding the pyqtgraph package

    def prepare(self, path: str) -> None:
        """Find the module of source file ``path`` and read its bytecode (checked against the source)."""
        try:
            if self.site is None:
                self.site = Path(importlib.util.find_spec("pyqtgraph").origin).parent.parent
            file = Path(path)
            parts = list(file.relative_to(self.site).with_suffix("").parts)
            package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if package else parts)
            spec = importlib.machinery.PathFinder.find_spec(name, [str(file.parent.parent if package else file.parent)])
            if spec is not None and spec.origin == path and spec.loader is not None and name not in sys.modules:
                self.codes[name] = (spec, spec.loader.get_code(name))
        except (ImportError, OSError, SyntaxError, ValueError, AttributeError):
            pass  # imported the usual way

    def find_spec(self, name: str, path=None, target=None):
        """The prepared spec of ``name``, loading from the prepared bytecode; None for any other module."""
        item = self.codes.pop(name, None)
        if item is None:
            return None
        spec, code = item
        spec.loader = _CodeLoader(spec.loader, code)
        return spec


class _CodeLoader(importlib.abc.Loader):
    def __init__(self, loader, code) -> None:
        self.loader, self.code = loader, code

    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module) -> None:
        module.__spec__.loader = module.__loader__ = self.loader  # as if imported the usual way
        exec(self.code, module.__dict__)  # noqa: S102 - pyqtgraph's own bytecode, checked against its source


def _pyqtgraph_sources() -> list[str]:
    """pyqtgraph's source files, but for the parts it does not import (examples, 3-D, flowcharts, …).

    PySide6's import hook reads the source of every module as it is imported (it looks for "PySide6" in
    it), through Python's line cache: read beforehand, a piece at a time, they cost the long piece
    nothing (12 of its ~50 ms, measured).
    """
    spec = importlib.util.find_spec("pyqtgraph")
    if spec is None or spec.origin is None:
        return []
    root = Path(spec.origin).parent
    return [str(p) for p in sorted(root.rglob("*.py"))
            if p.relative_to(root).parts[0] not in PYQTGRAPH_NOT_IMPORTED]


def _try_import(name: str):
    """The module, or None if it is not installed (an optional dependency of pyqtgraph)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
