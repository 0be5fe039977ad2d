"""The sweep's drawn outputs (PDF report and chart): the one place the text commands hand work to the Qt-drawn ``vggcompare.render``.

The text commands (``cli.sweep``, ``cli.commands``, ``cli.reproduce``, …) never import this module: the dispatcher in
``vggcompare.cli`` passes it to them, so printing a table needs no Qt (an import-linter contract checks it).
"""

from __future__ import annotations

import os
from pathlib import Path


def write_sweep_report(folder: str | os.PathLike, path: str | os.PathLike) -> Path:
    """Write a sweep's PDF report from its table."""
    from vggcompare.render.report.sweep_page import write_sweep_report as write

    return write(folder, path)


def write_sweep_chart(summary: dict, path: str | os.PathLike) -> Path:
    """Draw a sweep's flip-rate chart to a PNG."""
    from vggcompare.render.figures.flip_chart import write_chart_png

    return write_chart_png(summary, path)
