"""The history's file work for the window: rename, delete and undo, each a file job with a one-sentence error."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from vggcompare.core.storage.history import History, HistoryEntry
from vggcompare.gui.session.job_runner import JobRunner
from vggcompare.gui.session.model_session import sentence


def delete_entries(history: History, entries: list[HistoryEntry]) -> list[tuple[HistoryEntry, Path]]:
    """Move each entry's file to the trash (a file job); return (entry, where it went), in order."""
    return [(entry, history.delete(entry)) for entry in entries]


def rename_entry(history: History, entry: HistoryEntry, name: str) -> HistoryEntry:
    """Rename a run, its file rewritten atomically (a file job); return the entry."""
    history.rename(entry, name)
    return entry


class HistoryFiles(QObject):
    """Renames, deletes and brings back saved runs off the GUI thread; the history panel shows what it says."""

    renamed = Signal(object)  # HistoryEntry
    deleted = Signal(object)  # list of HistoryEntry
    restored = Signal(object)  # HistoryEntry
    failed = Signal(str)  # one sentence

    def __init__(self, history: History, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history, self.runner = history, runner
        self.trashed: list[Path] = []  # deleted files, the last one first to come back

    def _job(self, func, *args, done, what: str) -> None:
        handle = self.runner.run_local(func, *args)
        handle.succeeded.connect(done)
        handle.failed.connect(lambda exc, _details: self.failed.emit(f"{what}: {sentence(exc)}"))

    def rename(self, entry: HistoryEntry, name: str) -> None:
        """Give a run a new name; ``renamed`` or ``failed`` follows."""
        self._job(rename_entry, self.history, entry, name, done=self.renamed, what="The run could not be renamed")

    def delete(self, entries: list[HistoryEntry]) -> None:
        """Move runs to the history's trash; ``deleted`` or ``failed`` follows."""
        def done(moved) -> None:
            self.trashed += [path for _entry, path in moved]
            self.deleted.emit([entry for entry, _path in moved])

        self._job(delete_entries, self.history, list(entries), done=done, what="The runs could not be deleted")

    def undo(self) -> None:
        """Bring back the run deleted last; ``restored`` or ``failed`` follows."""
        if not self.trashed:
            return
        path = self.trashed.pop()

        def lost(exc, _details) -> None:
            self.trashed.append(path)
            self.failed.emit(f"The run could not be brought back: {sentence(exc)}")

        handle = self.runner.run_local(self.history.undo_delete, path)
        handle.succeeded.connect(self.restored)
        handle.failed.connect(lost)
