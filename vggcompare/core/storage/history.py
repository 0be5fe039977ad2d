"""The run history: every finished run saved atomically in the user's data folder, never lost.

Each run is one result JSON file. Deleting moves the file to a ``trash`` subfolder so it can be
undone; renaming rewrites the file atomically. A damaged file is skipped with a warning and never
stops the others from loading.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

from vggcompare.core.errors import ResultFileError
from vggcompare.core.resources import user_data_dir
from vggcompare.core.analysis.result import RunResult
from vggcompare.core.storage.result_file import load_result, save_result


def default_history_dir() -> Path:
    """The history folder, ``history`` in the program's data folder."""
    return user_data_dir() / "history"


class HistoryEntry:
    """One saved run: its file, a summary, and the full result, read from disk only when needed.

    Entries listed at start-up keep only their summary, so a history of large runs costs little memory.
    """

    def __init__(self, path: Path, result: RunResult, keep: bool = True) -> None:
        self.path = Path(path)
        self.created = result.created
        self.name = result.name or result.config.summary()
        self.verdict = result.verdict
        self._result: RunResult | None = result if keep else None

    @property
    def result(self) -> RunResult:
        """The full result (loaded again from its file if it was not kept)."""
        if self._result is None:
            self._result = load_result(self.path)
        return self._result

    @property
    def run_id(self) -> str:
        """The file's stem, unique within the history."""
        return self.path.stem

    def summary(self) -> str:
        """A one-line description for lists."""
        return f"{self.created[:19].replace('T', ' ')} · {self.name}"


class History:
    """The saved runs in one folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_history_dir()
        self.trash = self.folder / "trash"

    def add(self, result: RunResult) -> HistoryEntry:
        """Save a finished run atomically and return its entry."""
        stamp = re.sub(r"[^0-9T]", "", result.created or "")[:15] or "run"
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.json"
        save_result(result, path)
        return HistoryEntry(path, result)

    def load(self) -> tuple[list[HistoryEntry], list[str]]:
        """Load every saved run, oldest first; return (entries, warnings for skipped files)."""
        entries: list[HistoryEntry] = []
        warnings: list[str] = []
        if not self.folder.is_dir():
            return entries, warnings
        for path in sorted(self.folder.glob("*.json")):
            try:  # every file is checked in full, but only its summary is kept in memory
                entries.append(HistoryEntry(path, load_result(path), keep=False))
            except ResultFileError as exc:
                warnings.append(f"Skipped a damaged history file: {exc}")
        entries.sort(key=lambda e: (e.created, e.path.name))
        return entries, warnings

    def rename(self, entry: HistoryEntry, name: str) -> None:
        """Give a run a new name, rewriting its file atomically."""
        name = " ".join(name.split())
        if not name:
            raise ValueError("a run's name cannot be empty")
        entry.result.name = name
        save_result(entry.result, entry.path)
        entry.name = name

    def delete(self, entry: HistoryEntry) -> Path:
        """Move a run's file to the trash; return where it went, for undo."""
        self.trash.mkdir(parents=True, exist_ok=True)
        target = self.trash / entry.path.name
        shutil.move(str(entry.path), target)
        return target

    def undo_delete(self, trashed: Path) -> HistoryEntry:
        """Bring a deleted run back from the trash."""
        target = self.folder / trashed.name
        shutil.move(str(trashed), target)
        return HistoryEntry(target, load_result(target))

    def import_file(self, path: str | os.PathLike) -> HistoryEntry:
        """Open a result JSON from anywhere and add a copy to the history."""
        return self.add(load_result(path))
