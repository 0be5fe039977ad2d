"""Writing a report: a Page on a buffer, then one atomic write of the finished PDF."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from vggcompare.core.atomic import atomic_write_bytes
from vggcompare.render.report.page import Page, page_size_named


def write_pdf(path: str | os.PathLike | None, draw: Callable[[Page], None], overwrite: bool = True,
              page_size: str | None = None, landscape: bool = False, title: str = "vggcompare report") -> Path | bytes:
    """Let ``draw`` fill the pages, then write the PDF to ``path`` atomically (or return its bytes, when ``path`` is None).

    ``page_size`` is 'a4', 'letter', or None for the locale's size.
    """
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from vggcompare.render.figures.paper import ensure_app

    target = Path(path) if path is not None else None
    if target is not None and target.exists() and not overwrite:
        raise FileExistsError(f"{target.name} already exists; choose another name or allow replacing it")
    ensure_app()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    page = Page(buf, page_size_named(page_size), landscape, title)
    try:
        draw(page)
    finally:
        page.close()
        del page
    buf.close()
    return bytes(data) if target is None else atomic_write_bytes(target, bytes(data))
