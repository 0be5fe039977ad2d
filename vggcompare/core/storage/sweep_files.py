"""A sweep's readable outputs, rebuilt from its table: ``rows.csv`` and ``summary.json``, each written atomically."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from vggcompare.core.analysis.sweep_stats import headline, summarise_variant
from vggcompare.core.atomic import atomic_write_text
from vggcompare.core.storage.sweep_table import COLUMNS, SweepTable

ROWS_FILE = "rows.csv"
SUMMARY_FILE = "summary.json"


def sweep_summary(table: SweepTable) -> dict:
    """The per-variant aggregates and the headline, from the table's current rows."""
    settings = table.settings or {}
    names = [v["name"] for v in settings.get("variants", [])]
    rows = table.rows()
    listed = len(table.images())
    finished = table.finished_images(len(names)) if names else set()
    errors = {r["image_index"] for r in rows if r["error"] and r["image_index"] in finished}
    by_variant: dict[int, list[dict]] = {}
    for r in rows:
        if r["image_index"] in finished:
            by_variant.setdefault(r["variant_index"], []).append(r)
    variants = [summarise_variant(name, by_variant.get(k, [])) for k, name in enumerate(names) if k > 0]
    reference = names[0] if names else ""
    return {
        "format": "vggcompare sweep summary",
        "version": 1,
        "source": settings.get("source", ""),
        "model": table.get("model") or "",
        "reference": reference,
        "passes": settings.get("passes"),
        "images_listed": listed,
        "images_finished": len(finished),
        "images_with_errors": len(errors),
        "complete": bool(names) and len(finished) == listed,
        "variants": [v.to_dict() for v in variants],
        "headline": headline(variants, len(finished) - len(errors), reference),
    }


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same float
    return str(value)


def rows_csv(table: SweepTable) -> str:
    """The table's rows as CSV text: one row per image × variant, the error column filled where it failed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in table.rows():
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return out.getvalue()


def write_outputs(folder: str | Path, table: SweepTable) -> dict:
    """Rewrite ``rows.csv`` and ``summary.json`` in ``folder`` atomically; return the summary."""
    summary = sweep_summary(table)
    atomic_write_text(Path(folder) / ROWS_FILE, rows_csv(table))
    atomic_write_text(Path(folder) / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n")
    return summary


def read_flipped(folder: str | Path, variant: str) -> list:
    """The images whose top-1 flipped under ``variant``, largest change first, with their thumbnails (a file job)."""
    from vggcompare.core.analysis.sweep_flips import flipped_images

    with SweepTable(folder, create=False) as table:
        return flipped_images(table.rows(), variant, table.thumbnails())
