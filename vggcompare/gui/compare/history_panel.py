"""The history panel: every finished run, saved as it completes, listed with a one-line summary."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QGridLayout, QInputDialog, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget,
)

from vggcompare.core.storage.history import History, HistoryEntry
from vggcompare.core.analysis.result import RunResult


class HistoryPanel(QWidget):
    """A list of saved runs with Open, Compare, Rename, Delete and Undo."""

    open_requested = Signal(object)  # RunResult
    compare_requested = Signal(object, object)  # RunResult A, RunResult B
    warning = Signal(str)

    def __init__(self, history: History | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history or History()
        self._trashed: list[Path] = []
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setMinimumWidth(220)
        self.list.setToolTip("Every finished run is saved here automatically. Select two runs and press Compare.")
        self.list.itemDoubleClicked.connect(lambda item: self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole).result))
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QGridLayout()
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Show the two selected runs side by side, with what differs")
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete")
        self.undo_button = QPushButton("Undo delete")
        self.undo_button.setEnabled(False)
        for i, b in enumerate((self.compare_button, self.rename_button, self.delete_button, self.undo_button)):
            buttons.addWidget(b, i // 2, i % 2)
        self.compare_button.clicked.connect(self._compare)
        self.rename_button.clicked.connect(self._rename)
        self.delete_button.clicked.connect(self._delete)
        self.undo_button.clicked.connect(self._undo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def reload(self) -> None:
        """Load the history from disk now; damaged files are skipped and reported."""
        self.populate(*self.history.load())

    def populate(self, entries: list[HistoryEntry], warnings: list[str]) -> None:
        """Show loaded entries (oldest first in ``entries``) and report skipped files."""
        self.list.clear()
        for entry in entries:
            self.add_item(entry)
        for w in warnings:
            self.warning.emit(w)
        self.status.setText(f"{len(entries)} saved run(s)" + (f"; {len(warnings)} damaged file(s) skipped" if warnings else ""))

    def add_result(self, result: RunResult) -> HistoryEntry:
        """Save a finished run (atomically) and list it at the top."""
        entry = self.history.add(result)
        self.list_entry(entry)
        return entry

    def list_entry(self, entry: HistoryEntry) -> None:
        """List an already saved run at the top."""
        self.add_item(entry)
        self.status.setText(f"Saved {entry.path.name}")

    def entries(self) -> list[HistoryEntry]:
        """The listed entries, newest first."""
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def add_item(self, entry: HistoryEntry) -> None:
        """List a saved run at the top, leaving the status line as it is."""
        item = QListWidgetItem(entry.summary())
        item.setToolTip(f"{entry.verdict}\n\n{entry.path}")
        item.setData(Qt.ItemDataRole.UserRole, entry)
        self.list.insertItem(0, item)

    def _selected(self) -> list[HistoryEntry]:
        return [i.data(Qt.ItemDataRole.UserRole) for i in self.list.selectedItems()]

    def _update_buttons(self) -> None:
        n = len(self._selected())
        self.compare_button.setEnabled(n == 2)
        self.rename_button.setEnabled(n == 1)
        self.delete_button.setEnabled(n >= 1)

    def _compare(self) -> None:
        sel = sorted(self._selected(), key=lambda e: e.created)
        if len(sel) == 2:
            self.compare_requested.emit(sel[0].result, sel[1].result)

    def _rename(self) -> None:
        sel = self._selected()
        if len(sel) != 1:
            return
        name, ok = QInputDialog.getText(self, "Rename run", "New name:", text=sel[0].name)
        if ok and name.strip():
            self.history.rename(sel[0], name)
            self.list.selectedItems()[0].setText(sel[0].summary())

    def _delete(self) -> None:
        for item in self.list.selectedItems():
            self._trashed.append(self.history.delete(item.data(Qt.ItemDataRole.UserRole)))
            self.list.takeItem(self.list.row(item))
        self.undo_button.setEnabled(bool(self._trashed))
        self.status.setText("Deleted. Press Undo delete to bring it back.")

    def _undo(self) -> None:
        if self._trashed:
            self.add_item(self.history.undo_delete(self._trashed.pop()))
        self.undo_button.setEnabled(bool(self._trashed))
