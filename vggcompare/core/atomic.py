"""Atomic file writes: a temporary file in the same folder, fsync, then rename.

The file gets the permissions a plain ``open(path, "w")`` would give it: an existing file's own mode, else
0o666 less the process's umask (the temporary file alone would leave it 0o600, unreadable by the group).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable, IO


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> Path:
    """Write a file atomically: readers see the old file or the whole new one, never a part.

    ``write`` receives a binary file object open on a temporary file beside ``path``.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = _plain_write_mode(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        if hasattr(os, "fchmod"):  # (not on Windows, where mkstemp's mode is not 0o600 either)
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(target.parent)
    return target


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda handle: handle.write(data))


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def _plain_write_mode(target: Path) -> int:
    """The permission bits ``open(target, "w")`` would leave: the existing file's, else 0o666 less the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except (FileNotFoundError, NotADirectoryError):
        return 0o666 & ~current_umask()


def current_umask() -> int:
    """The process's umask, read without changing it where the system tells it (Linux's /proc/self/status).

    Elsewhere it is read by setting and restoring it, which another thread's file creation could see in between.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
