"""The per-layer table of a layer comparison as CSV: one row per layer (or block), the numbers as exact text."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from vggcompare.core.analysis.layers import LayerComparison
from vggcompare.core.atomic import atomic_write_text


def layer_csv_text(comparison: LayerComparison) -> str:
    """The table as CSV text (header row first)."""
    columns, rows = comparison.table()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def write_layer_csv(comparison: LayerComparison, path: str | os.PathLike) -> Path:
    """Write the table as CSV, atomically."""
    return atomic_write_text(path, layer_csv_text(comparison))
