"""The history as a table model: one row per saved run, a tick column for comparing, every column sortable."""

from __future__ import annotations

import html
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QPixmap

from vggcompare.core.storage.history import HistoryEntry

Index = QModelIndex | QPersistentModelIndex

TICK, TIME, IMAGE, NAME, MODEL, PASSES, SEEDING, CAUSES, VERDICT = range(9)

HEADERS = ("Compare", "Time", "Image", "Name", "Model", "N", "Seeding", "Causes on", "Verdict")

HEADER_TIPS = (
    "Tick two runs, then press Compare to see what differs",
    "When the run finished",
    "The first input the model saw",
    "The run's name (Rename… changes it)",
    "The model that ran",
    "Number of passes",
    "How the random generators were seeded",
    "The sources of variation switched on besides seeding",
    "The first sentence of the run's verdict (the whole verdict in the tooltip)",
)

_SORT_KEYS: dict[int, Callable[[HistoryEntry], Any]] = {
    TIME: lambda e: (e.created, e.path.name),
    IMAGE: lambda e: (e.image_name.lower(), e.created),
    NAME: lambda e: (e.name.lower(), e.created),
    MODEL: lambda e: (e.model.lower(), e.created),
    PASSES: lambda e: (e.passes, e.created),
    SEEDING: lambda e: (e.seeding, e.created),
    CAUSES: lambda e: (len(e.causes), ", ".join(e.causes), e.created),
    VERDICT: lambda e: (e.headline.lower(), e.created),
}


class HistoryModel(QAbstractTableModel):
    """Saved runs as rows; ``ticked`` holds up to two runs chosen for comparison, in the order ticked."""

    ticks_changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[HistoryEntry] = []
        self.ticked: list[HistoryEntry] = []
        self._sort = (TIME, Qt.SortOrder.DescendingOrder)
        self._pixmaps: dict[int, QPixmap] = {}

    # ---- contents -----------------------------------------------------------------------
    def set_entries(self, entries: list[HistoryEntry]) -> None:
        """Show these entries (any order), sorted as the table is sorted; ticks are cleared."""
        self.beginResetModel()
        self.rows = sorted(entries, key=_SORT_KEYS[self._sort[0]], reverse=self._descending())
        self.ticked = []
        self._pixmaps.clear()
        self.endResetModel()
        self.ticks_changed.emit()

    def insert(self, entry: HistoryEntry) -> int:
        """Add one entry where the current sort puts it; return its row."""
        key, descending = _SORT_KEYS[self._sort[0]], self._descending()
        k = key(entry)
        row = next((i for i, e in enumerate(self.rows) if (key(e) < k if descending else key(e) > k)), len(self.rows))
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.insert(row, entry)
        self.endInsertRows()
        return row

    def remove(self, entry: HistoryEntry) -> None:
        """Take one entry out of the table (and out of the ticked pair)."""
        row = self.rows.index(entry)
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.rows[row]
        self.endRemoveRows()
        self._pixmaps.pop(id(entry), None)
        if entry in self.ticked:
            self.ticked.remove(entry)
            self.ticks_changed.emit()

    def refresh(self, entry: HistoryEntry) -> None:
        """Redraw one entry's row after its summary changed (a rename)."""
        row = self.rows.index(entry)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def set_ticked(self, entry: HistoryEntry, on: bool) -> None:
        """Tick or untick a run; ticking a third run unticks the one ticked first."""
        changed = [entry]
        if on and entry not in self.ticked:
            self.ticked.append(entry)
            if len(self.ticked) > 2:
                changed.append(self.ticked.pop(0))
        elif not on and entry in self.ticked:
            self.ticked.remove(entry)
        else:
            return
        for e in changed:
            row = self.rows.index(e)
            self.dataChanged.emit(self.index(row, TICK), self.index(row, TICK), [Qt.ItemDataRole.CheckStateRole])
        self.ticks_changed.emit()

    # ---- Qt's model interface -----------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        """One row per saved run."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        """The tick, time, image, name, model, N, seeding, causes and verdict columns."""
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        """Column titles, with a tooltip that says what each column holds."""
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Rows are selectable; the tick column is checkable."""
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsUserCheckable if index.column() == TICK else flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text, full-text tooltips, the tick state, the thumbnail and alignment of one cell."""
        if not index.isValid():
            return None
        entry, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _text(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(entry, column)
        if role == Qt.ItemDataRole.CheckStateRole and column == TICK:
            return Qt.CheckState.Checked if entry in self.ticked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole and column == IMAGE and entry.thumbnail:
            return self._pixmap(entry)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == PASSES:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        """Tick or untick a run from the tick column."""
        if index.isValid() and index.column() == TICK and role == Qt.ItemDataRole.CheckStateRole:
            self.set_ticked(self.rows[index.row()], Qt.CheckState(value) == Qt.CheckState.Checked)
            return True
        return False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by one column (ticked runs first for the tick column), keeping the selection on its runs."""
        if column not in _SORT_KEYS:  # the tick column sorts ticked runs first
            key = lambda e: (e not in self.ticked, e.created)  # noqa: E731
        else:
            key = _SORT_KEYS[column]
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()  # the selection and current row follow their runs
        moved = [self.rows[i.row()] for i in persistent]
        self._sort = (column if column in _SORT_KEYS else TIME, order)
        self.rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        where = {id(e): r for r, e in enumerate(self.rows)}
        self.changePersistentIndexList(persistent, [self.index(where[id(e)], i.column()) for e, i in zip(moved, persistent)])
        self.layoutChanged.emit()

    def _descending(self) -> bool:
        return self._sort[1] == Qt.SortOrder.DescendingOrder

    def _pixmap(self, entry: HistoryEntry) -> QPixmap:
        pixmap = self._pixmaps.get(id(entry))
        if pixmap is None:
            pixmap = QPixmap()
            pixmap.loadFromData(entry.thumbnail, "PNG")
            self._pixmaps[id(entry)] = pixmap
        return pixmap


def _text(entry: HistoryEntry, column: int) -> str | None:
    return {
        TIME: entry.time_text, NAME: entry.name, MODEL: entry.model, PASSES: str(entry.passes),
        SEEDING: entry.seeding, CAUSES: ", ".join(entry.causes) or "none", VERDICT: entry.headline,
        IMAGE: "" if entry.thumbnail else (entry.image_name or "pasted"),
    }.get(column)


def _tooltip(entry: HistoryEntry, column: int) -> str | None:
    if column == TICK:
        return "Tick two runs, then press Compare"
    if column == IMAGE:
        return f"{entry.image_name or 'A pasted image'}, as the model saw it in pass 1"
    if column == VERDICT:
        return f"<p>{html.escape(entry.verdict)}</p>"  # rich text, so Qt wraps a long verdict
    if column == CAUSES and not entry.causes:
        return "none: no source of variation was switched on besides seeding"
    return _text(entry, column)
