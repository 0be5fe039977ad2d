"""What a shared file may say about where things live: file names by default, full paths on request.

Reports, figures, CSV files and screenshots are shared with other people, so they name the image
(and a user's model, weights and labels files) by file name only. The result JSON keeps the full
paths, because reproducing a run needs them.
"""

from __future__ import annotations

import re
from typing import Iterable

from vggcompare.core.analysis.result import RunResult

PATH_SETTINGS = ("image", "model", "weights", "labels")  # configuration fields that may hold a path


def file_name(path: str | None) -> str:
    """The last part of ``path`` ('/home/ann/cats/tabby.png' -> 'tabby.png'), for either slash."""
    if not path:
        return ""
    return re.split(r"[\\/]", str(path).rstrip("\\/"))[-1] or str(path)


def shown_path(path: str | None, full_paths: bool = False) -> str:
    """``path`` as a shared document shows it: the file name, or the whole path when asked."""
    return str(path or "") if full_paths else file_name(path)


def result_paths(result: RunResult) -> list[str]:
    """Every path the result records: its image and any model, weights or labels file."""
    found = [getattr(result.config, key) for key in PATH_SETTINGS]
    found.append(result.image.source)
    return [p for p in found if isinstance(p, str) and ("/" in p or "\\" in p)]


def hide_folders(text: str, paths: Iterable[str], full_paths: bool = False) -> str:
    """Replace each of ``paths`` inside ``text`` by its file name (unless ``full_paths``)."""
    if full_paths:
        return text
    for path in sorted(set(paths), key=len, reverse=True):
        text = text.replace(path, file_name(path))
    return text
