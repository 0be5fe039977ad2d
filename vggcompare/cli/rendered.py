"""The CLI's drawn outputs (sweep PDF and chart): the one place the text commands hand work to the Qt-drawn ``vggcompare.render``.

The text commands (``cli.sweep``, ``cli.commands``, ``cli.reproduce``, …) never import this module: the dispatcher in
``vggcompare.cli`` passes it to them, so printing a table needs no Qt (an import-linter contract checks it).
"""

from __future__ import annotations

import os
from pathlib import Path


def write_sweep_report(folder: str | os.PathLike, path: str | os.PathLike) -> Path:
    """Write a sweep's PDF report from its table."""
    from vggcompare.render.sweep_report import write_sweep_report as write

    return write(folder, path)


def write_sweep_chart(summary: dict, path: str | os.PathLike) -> Path:
    """Draw a sweep's flip-rate chart to a PNG."""
    from vggcompare.render.sweep_report import write_chart_png

    return write_chart_png(summary, path)


def check_present(present: str | None) -> None:
    """Raise ConfigError unless ``present`` (screenshot's --present) is None, 'result' or a demonstration's name."""
    from vggcompare.gui.window.screenshot import check_present as check

    check(present)


def take_screenshot(config, path: str | os.PathLike, size: tuple[int, int], download_progress=None,
                    present: str | None = None) -> Path:
    """Run offscreen and save a PNG of the whole window (or of presenter mode, ``present``: 'result' or a
    demonstration's name); missing ImageNet weights are downloaded as ``run`` does."""
    from vggcompare.gui.window.screenshot import take_screenshot as take

    return take(config, path, size, allow_download=True, download_progress=download_progress, present=present)
