"""The history index: a small SQLite file beside the run files, holding each run's summary.

The run files are the truth and the index is only a cache of them. A row is used only while its
file still has the size, modification time, change time and inode the row recorded; any other
file is read again in full. An index that is damaged, foreign or of another version is deleted
and rebuilt from the files, and failing to write it never fails a save: at worst the next start
reads the files again.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from vggcompare.core.storage.history_entry import HistoryEntry

INDEX_NAME = "index.sqlite3"

SCHEMA_VERSION = 1

FileKey = tuple[int, int, int, int]  # (size, mtime_ns, ctime_ns, inode): any rewrite changes it

_COLUMNS = "file, size, mtime_ns, ctime_ns, inode, problem, created, name, model, passes, seeding, causes, verdict, image, thumbnail"

_SCHEMA = f"""
CREATE TABLE runs (
    file TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL, problem TEXT, created TEXT, name TEXT, model TEXT, passes INTEGER,
    seeding TEXT, causes TEXT, verdict TEXT, image TEXT, thumbnail BLOB
);
PRAGMA user_version = {SCHEMA_VERSION};
"""


def file_key(stat: os.stat_result) -> FileKey:
    """What identifies one version of a file on disk."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


@dataclass(frozen=True)
class IndexedFile:
    """What the index knows about one file: a run's summary, or why the file is not a run."""

    key: FileKey
    entry: HistoryEntry | None
    problem: str | None  # the warning for a damaged file, None for a good run


class _Damaged(Exception):
    """The index file is not one this program wrote, or is corrupt."""


class HistoryIndex:
    """The index of one history folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / INDEX_NAME

    def read(self) -> dict[str, IndexedFile]:
        """Every well-formed row, by file name; a damaged index is deleted and an empty one returned."""
        try:
            con = self._connect(check=True)
            try:
                rows = con.execute(f"SELECT {_COLUMNS} FROM runs").fetchall()
            finally:
                con.close()
        except (sqlite3.Error, _Damaged):
            self.discard()
            return {}
        except OSError:
            return {}
        known = {}
        for row in rows:
            indexed = self._parse(row)
            if indexed is not None:  # a malformed row is left out, so its file is read again
                known[row[0]] = indexed
        return known

    def update(self, changed: Iterable[tuple[str, FileKey, HistoryEntry | None, str | None]], removed: Iterable[str] = ()) -> bool:
        """Record new or changed files and forget removed ones, in one transaction; False if it failed."""
        changed, removed = list(changed), list(removed)
        if not changed and not removed:
            return True
        try:
            con = self._connect()
            try:
                with con:
                    con.executemany("DELETE FROM runs WHERE file = ?", [(name,) for name in removed])
                    con.executemany(f"INSERT OR REPLACE INTO runs ({_COLUMNS}) VALUES ({', '.join('?' * 15)})",
                                    [_row(name, key, entry, problem) for name, key, entry, problem in changed])
            finally:
                con.close()
        except (sqlite3.Error, _Damaged):
            self.discard()
            return False
        except OSError:
            return False
        return True

    def put(self, entry: HistoryEntry) -> bool:
        """Record one saved run (its file must exist); False if the index could not be written."""
        try:
            key = file_key(entry.path.stat())
        except OSError:
            return False
        return self.update([(entry.path.name, key, entry, None)])

    def remove(self, name: str) -> bool:
        """Forget one file; False if the index could not be written."""
        return self.update([], [name])

    def discard(self) -> None:
        """Delete the index file (and SQLite's side files); the next read starts afresh."""
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError:
                return

    def _connect(self, check: bool = False) -> sqlite3.Connection:
        if not self.folder.is_dir():
            raise OSError(f"{self.folder} is not a folder")
        con = sqlite3.connect(self.path, timeout=10)
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version == 0 and not con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                con.executescript(_SCHEMA)
            elif version != SCHEMA_VERSION:
                raise _Damaged(f"index version {version}")
            elif check and con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise _Damaged("index failed its check")
        except BaseException:
            con.close()
            raise
        return con

    def _parse(self, row: tuple) -> IndexedFile | None:
        file, size, mtime, ctime, inode, problem, created, name, model, passes, seeding, causes, verdict, image, thumb = row
        if not (isinstance(file, str) and all(isinstance(v, int) for v in (size, mtime, ctime, inode))):
            return None
        key = (size, mtime, ctime, inode)
        if problem is not None:
            return IndexedFile(key, None, problem) if isinstance(problem, str) else None
        try:
            cause_list = json.loads(causes)
        except (TypeError, ValueError):
            return None
        texts = (created, name, model, seeding, verdict, image)
        if not (all(isinstance(t, str) for t in texts) and isinstance(passes, int) and passes >= 1
                and isinstance(thumb, bytes) and isinstance(cause_list, list) and all(isinstance(c, str) for c in cause_list)):
            return None
        entry = HistoryEntry(self.folder / file, created, name, model, passes, seeding, tuple(cause_list), verdict, image, thumb)
        return IndexedFile(key, entry, None)


def _row(name: str, key: FileKey, entry: HistoryEntry | None, problem: str | None) -> tuple:
    if entry is None:
        return (name, *key, problem, None, None, None, None, None, None, None, None, None)
    return (name, *key, None, entry.created, entry.name, entry.model, entry.passes, entry.seeding,
            json.dumps(list(entry.causes)), entry.verdict, entry.image_name, entry.thumbnail)
