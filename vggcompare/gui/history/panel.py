"""The history panel: every finished run, saved as it completes, in a sortable table.

Columns: a tick for comparing, time, image thumbnail, name, model, N, seeding, the causes
switched on, and the verdict's first sentence. Every cell's full text is in its tooltip. Tick two
runs (or select two rows) and press Compare; double-click a run to open it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QMenu, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from vggcompare.core.storage.history import HistoryEntry
from vggcompare.core.storage.history_entry import THUMBNAIL_SIDE
from vggcompare.gui.history.model import CAUSES, IMAGE, MODEL, NAME, PASSES, SEEDING, TICK, TIME, VERDICT, HistoryModel

_WIDTHS = {TICK: 64, TIME: 92, IMAGE: THUMBNAIL_SIDE + 16, NAME: 170, MODEL: 120, PASSES: 44, SEEDING: 110, CAUSES: 150}
VERDICT_MIN_WIDTH = 240  # below this the table scrolls sideways rather than squeeze the verdict

_HINTS = (
    "Tick two runs (or select two rows) and press Compare to see what differs. Double-click a run to open it.",
    "One run ticked: tick one more to compare them.",
    "Two runs ticked: press Compare to see what differs.",
)


class HistoryPanel(QWidget):
    """A sortable table of saved runs with Open, Compare, Rename, Delete and Undo."""

    open_requested = Signal(object)  # HistoryEntry: the session reads its file off the GUI thread
    compare_requested = Signal(object, object)  # HistoryEntry A (the older), HistoryEntry B
    warning = Signal(str)

    def __init__(self, files=None, parent: QWidget | None = None) -> None:
        """``files`` is the session's HistoryFiles (rename, delete, undo off the GUI thread); None shows no such buttons."""
        super().__init__(parent)
        self.files = files
        self.model = HistoryModel(self)
        self.table = self._make_table()
        self.hint = QLabel(_HINTS[0])
        self.hint.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.open_button = self._button("Open", "Show the selected run in the Result tab", self._open)
        self.compare_button = self._button("Compare", "Show the two ticked (or selected) runs side by side, with what differs", self._compare)
        self.rename_button = self._button("Rename…", "Give the selected run a name of your own", self._rename)
        self.delete_button = self._button("Delete", "Move the selected runs to the history's trash (Undo delete brings them back)", self._delete)
        self.undo_button = self._button("Undo delete", "Bring back the run deleted last", self._undo)
        self.delete_button.setShortcut(QKeySequence.StandardKey.Delete)
        buttons = QHBoxLayout()  # one row under the table, the status line after the buttons
        for b in (self.compare_button, self.open_button, self.rename_button, self.delete_button, self.undo_button):
            buttons.addWidget(b)
        buttons.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 2)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        for b in (self.rename_button, self.delete_button, self.undo_button):
            b.setVisible(files is not None)
        if files is not None:
            files.renamed.connect(self._on_renamed)
            files.deleted.connect(self._on_deleted)
            files.restored.connect(self._on_restored)
            files.failed.connect(self.status.setText)
        self.model.ticks_changed.connect(self._update_buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setIconSize(QSize(THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        table.setWordWrap(True)  # two or three lines fit beside a thumbnail
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(THUMBNAIL_SIDE + 6)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(40)
        for column, width in _WIDTHS.items():
            table.setColumnWidth(column, width)
        header.sectionResized.connect(lambda column, _old, _new: column != VERDICT and self._fit_verdict())
        table.viewport().installEventFilter(self)
        table.setSortingEnabled(True)
        table.sortByColumn(TIME, Qt.SortOrder.DescendingOrder)
        table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        return table

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_verdict()
        return super().eventFilter(watched, event)

    def _fit_verdict(self) -> None:
        """Give the verdict the width the other columns leave, but never less than VERDICT_MIN_WIDTH."""
        others = sum(self.table.columnWidth(c) for c in range(VERDICT))
        room = self.table.viewport().width() - others >= VERDICT_MIN_WIDTH
        self.table.horizontalHeader().setStretchLastSection(room)
        if not room:
            self.table.setColumnWidth(VERDICT, VERDICT_MIN_WIDTH)

    def _button(self, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # ---- what the window calls ----------------------------------------------------------
    def populate(self, entries: list[HistoryEntry], warnings: list[str]) -> None:
        """Show loaded entries (any order; the table sorts them) and report skipped files."""
        self.model.set_entries(entries)
        for w in warnings:
            self.warning.emit(w)
        self.status.setText(f"{len(entries)} saved run(s)" + (f"; {len(warnings)} damaged file(s) skipped" if warnings else ""))

    def list_entry(self, entry: HistoryEntry) -> None:
        """List an already saved run, and say so."""
        self.add_item(entry)
        self.status.setText(f"Saved {entry.path.name}")

    def add_item(self, entry: HistoryEntry) -> None:
        """List a saved run where the table's sort puts it, leaving the status line as it is."""
        self.model.insert(entry)

    def entries(self) -> list[HistoryEntry]:
        """The listed entries, newest first (whatever the table's sort)."""
        return sorted(self.model.rows, key=lambda e: (e.created, e.path.name), reverse=True)

    # ---- actions ------------------------------------------------------------------------
    def _selected(self) -> list[HistoryEntry]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r] for r in rows]

    def _pair(self) -> list[HistoryEntry]:
        """The two runs Compare would show: the ticked pair, or else two selected rows."""
        if len(self.model.ticked) == 2:
            return list(self.model.ticked)
        selected = self._selected()
        return selected if len(selected) == 2 and not self.model.ticked else []

    def _update_buttons(self, *_args) -> None:
        n = len(self._selected())
        self.open_button.setEnabled(n == 1)
        self.compare_button.setEnabled(len(self._pair()) == 2)
        self.rename_button.setEnabled(n == 1)
        self.delete_button.setEnabled(n >= 1)
        self.undo_button.setEnabled(self.files is not None and bool(self.files.trashed))
        self.hint.setText(_HINTS[len(self.model.ticked)])

    def _open_row(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            self.open_requested.emit(self.model.rows[row])

    def _open(self) -> None:
        selected = self._selected()
        if len(selected) == 1:
            self.open_requested.emit(selected[0])

    def _compare(self) -> None:
        pair = self._pair()
        if len(pair) == 2:
            self._emit_pair(*pair)

    def _rename(self) -> None:
        selected = self._selected()
        if len(selected) != 1:
            return
        name, ok = QInputDialog.getText(self, "Rename run", "New name:", text=selected[0].name)
        if ok and name.strip():
            self.files.rename(selected[0], name)

    def _on_renamed(self, entry: HistoryEntry) -> None:
        if entry in self.model.rows:
            self.model.refresh(entry)
        self.status.setText(f"Renamed to “{entry.name}”")

    def _delete(self) -> None:
        selected = self._selected()
        if selected:
            self.files.delete(selected)

    def _on_deleted(self, entries: list[HistoryEntry]) -> None:
        for entry in [e for e in entries if e in self.model.rows]:
            self.model.remove(entry)
        self.status.setText(f"Deleted {len(entries)} run(s). Press Undo delete to bring back the last one.")
        self._update_buttons()

    def _undo(self) -> None:
        if self.files.trashed:
            self.files.undo()

    def _on_restored(self, entry: HistoryEntry) -> None:
        self.table.selectRow(self.model.insert(entry))
        self.status.setText(f"Brought back “{entry.name}”")
        self._update_buttons()

    def _context_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        entry = self.model.rows[index.row()]
        menu = QMenu(self)
        menu.addAction(QAction("Open", menu, triggered=lambda: self.open_requested.emit(entry)))
        ticked = entry in self.model.ticked
        menu.addAction(QAction("Untick" if ticked else "Tick for comparing", menu,
                               triggered=lambda: self.model.set_ticked(entry, not ticked)))
        others = [e for e in self.model.ticked if e is not entry]
        if others:
            other = others[-1]
            menu.addAction(QAction(f"Compare with “{other.name}”", menu,
                                   triggered=lambda: self._emit_pair(entry, other)))
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def _emit_pair(self, a: HistoryEntry, b: HistoryEntry) -> None:
        first, second = sorted((a, b), key=lambda e: e.created)
        self.compare_requested.emit(first, second)
