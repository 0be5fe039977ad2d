"""Right-click → "Save figure as…" on the window's plots: the same figure `vggcompare figure` writes.

``install_save_figure`` gives a panel a context menu; the saved figure is built afresh by
:func:`vggcompare.render.figures.build.build_figure` from the panel's result and its current choices
(measure, log scale, order), on paper colours, so it looks the same from the window and the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

FILTERS = {  # file dialog filter -> PNG scale (1 for the vector formats)
    "SVG, vector, for slides (*.svg)": 1,
    "PDF, vector (*.pdf)": 1,
    "PNG picture (*.png)": 1,
    "PNG picture at 2× (*.png)": 2,
    "PNG picture at 3× (*.png)": 3,
}
EXTENSIONS = {1: ".svg", 2: ".pdf"}  # by filter position; the PNG filters use .png


def panel_options(panel: QWidget) -> dict:
    """The choices a panel shows now (variance or std, log scale, sorted), for an identical figure."""
    options = {}
    if hasattr(panel, "measure"):
        options["measure"] = panel.measure.currentData()
    for name in ("log", "sort"):
        box = getattr(panel, name, None)
        if box is not None:
            options[name] = box.isChecked()
    return options


def ask_figure_path(parent: QWidget, kind: str) -> tuple[str, int] | None:
    """Ask where to save the ``kind`` figure and in which format; (path, PNG scale) or None if cancelled."""
    filters = list(FILTERS)
    path, chosen = QFileDialog.getSaveFileName(parent, "Save figure as", f"vggcompare-{kind}.svg", ";;".join(filters),
                                               filters[0])
    if not path:
        return None
    if Path(path).suffix.lower() not in (".svg", ".pdf", ".png"):
        position = filters.index(chosen) + 1 if chosen in filters else 1
        path += EXTENSIONS.get(position, ".png")
    return path, FILTERS.get(chosen, 1)


def draw_figure_as(parent: QWidget, kind: str, result, options: dict, full_paths: bool,
                   ask: Callable[[QWidget, str], tuple[str, int] | None] = ask_figure_path) -> tuple[str, bytes] | None:
    """Ask for a file, then draw the ``kind`` figure of ``result`` in memory for it: (path, bytes), or None when cancelled.

    Nothing is written here: the caller writes the bytes (the window, off the GUI thread).
    """
    from vggcompare.render.figures.build import build_figure
    from vggcompare.render.figures.paper import discard
    from vggcompare.render.figures.save import figure_bytes

    answer = ask(parent, kind)
    if answer is None:
        return None
    path, scale = answer
    height = None if kind in ("top5", "inputs") else 700
    figure = build_figure(kind, result, 1200, height, options=options, full_paths=full_paths)
    try:
        return path, figure_bytes(figure, path, scale)  # the dialog asked before replacing
    finally:
        discard(figure)


def popup(menu: QMenu, where) -> object:
    """Show ``menu`` at the global point ``where`` and return the chosen action (None if dismissed)."""
    return menu.exec(where)


def install_save_figure(panel: QWidget, kind: str, result: Callable[[], object], write: Callable[[str, bytes], None],
                        on_error: Callable[[Exception], None], full_paths: Callable[[], bool] = lambda: False,
                        against: Callable[[], object] | None = None, targets: list[QWidget] | None = None) -> None:
    """Give ``panel`` (and ``targets``, e.g. its plot view) a right-click menu with "Save figure as…".

    ``result`` returns the run shown (None: nothing to save yet); ``against`` returns run B for the
    difference plot. The figure is drawn in memory, then ``write(path, data)`` writes it (the window
    hands it to a file job, which says when it is saved); ``on_error`` gets any OSError or ValueError
    from drawing (or from a ``write`` that raises).
    """
    def open_menu(widget: QWidget, pos) -> None:
        menu = QMenu(widget)
        action = menu.addAction("Save figure as…")
        action.setEnabled(result() is not None)
        if popup(menu, widget.mapToGlobal(pos)) is action:
            save_now()

    def save_now() -> None:
        options = panel_options(panel)
        if against is not None:
            options["against"] = against()
        try:
            drawn = draw_figure_as(panel.window(), kind, result(), options, full_paths(), ask=ask_figure_path)
            if drawn is not None:
                write(*drawn)
        except (OSError, ValueError) as exc:
            on_error(exc)

    panel.open_figure_menu = open_menu
    panel.save_figure_now = save_now  # the Export menu and the tests call it without the menu
    for widget in [panel, *(targets or [])]:
        add_save_figure_target(panel, widget)


def add_save_figure_target(panel: QWidget, widget: QWidget) -> None:
    """Give ``widget`` (a view inside ``panel``, perhaps made later) the panel's "Save figure as…" menu."""
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    widget.customContextMenuRequested.connect(lambda pos: panel.open_figure_menu(widget, pos))
