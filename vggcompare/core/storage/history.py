"""The run history: every finished run saved atomically in the user's data folder, never lost.

Each run is one result JSON file. Deleting moves the file to a ``trash`` subfolder so it can be
undone; renaming rewrites the file atomically. A damaged file is skipped with a warning and never
stops the others from loading. Listing reads each run's summary from a small index beside the
files (:mod:`vggcompare.core.storage.history_index`), and reads in full only the files the index
does not know in their present state, so a thousand runs list in well under a second.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

from vggcompare.core.analysis.result import RunResult
from vggcompare.core.errors import ResultFileError
from vggcompare.core.resources import user_data_dir
from vggcompare.core.storage.history_entry import HistoryEntry
from vggcompare.core.storage.history_index import HistoryIndex, file_key
from vggcompare.core.storage.result_file import load_result, save_result

__all__ = ["History", "HistoryEntry", "default_history_dir"]


def default_history_dir() -> Path:
    """The history folder, ``history`` in the program's data folder."""
    return user_data_dir() / "history"


class History:
    """The saved runs in one folder, with their index."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_history_dir()
        self.trash = self.folder / "trash"
        self.index = HistoryIndex(self.folder)

    def add(self, result: RunResult) -> HistoryEntry:
        """Save a finished run atomically, record it in the index, and return its entry."""
        stamp = re.sub(r"[^0-9T]", "", result.created or "")[:15] or "run"
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.json"
        save_result(result, path)
        entry = HistoryEntry.from_result(path, result)
        self.index.put(entry)
        return entry

    def load(self) -> tuple[list[HistoryEntry], list[str]]:
        """List every saved run, oldest first; return (entries, warnings for skipped files).

        Summaries come from the index when it knows a file as it is now; any other file is read
        and checked in full, and the index is brought up to date (rows of vanished files dropped).
        """
        entries: list[HistoryEntry] = []
        warnings: list[str] = []
        if not self.folder.is_dir():
            return entries, warnings
        known = self.index.read()  # before listing, so a run saved meanwhile is never forgotten
        changed = []
        present = set()
        with os.scandir(self.folder) as items:
            files = sorted((item.name, item) for item in items if item.name.endswith(".json") and item.is_file())
        for name, item in files:
            try:
                key = file_key(item.stat())
            except OSError:
                continue  # removed while listing
            present.add(name)
            indexed = known.get(name)
            if indexed is not None and indexed.key == key:
                entry, problem = indexed.entry, indexed.problem
            else:
                entry, problem = _read(self.folder / name)
                changed.append((name, key, entry, problem))
            if entry is not None:
                entries.append(entry)
            else:
                warnings.append(f"Skipped a damaged history file: {problem}")
        self.index.update(changed, [name for name in known if name not in present])
        entries.sort(key=lambda e: (e.created, e.path.name))
        return entries, warnings

    def rename(self, entry: HistoryEntry, name: str) -> None:
        """Give a run a new name, rewriting its file atomically."""
        name = " ".join(name.split())
        if not name:
            raise ValueError("a run's name cannot be empty")
        result = entry.result
        result.name = name
        save_result(result, entry.path)
        entry.name = name
        self.index.put(entry)

    def delete(self, entry: HistoryEntry) -> Path:
        """Move a run's file to the trash; return where it went, for undo."""
        self.trash.mkdir(parents=True, exist_ok=True)
        target = self.trash / entry.path.name
        shutil.move(str(entry.path), target)
        self.index.remove(entry.path.name)
        return target

    def undo_delete(self, trashed: Path) -> HistoryEntry:
        """Bring a deleted run back from the trash."""
        target = self.folder / trashed.name
        shutil.move(str(trashed), target)
        entry = HistoryEntry.from_result(target, load_result(target))
        self.index.put(entry)
        return entry

    def import_file(self, path: str | os.PathLike) -> HistoryEntry:
        """Open a result JSON from anywhere and add a copy to the history."""
        return self.add(load_result(path))


def _read(path: Path) -> tuple[HistoryEntry | None, str | None]:
    """Read and check one file in full; keep only its summary (or the reason it was skipped)."""
    try:
        return HistoryEntry.from_result(path, load_result(path), keep=False), None
    except ResultFileError as exc:
        return None, str(exc)
