"""A sweep's per-variant table as text: the cells the CLI prints and the PDF report draws."""

from __future__ import annotations

from vggcompare.core.analysis.verdict import fmt

COLUMNS = ("variant", "images", "top-1 changed", "flip rate (95% interval)", "median change", "95th pct change", "mean top-5 overlap")


def percent(x: float | None) -> str:
    """``0.25`` as ``25%``; None as a dash."""
    return "–" if x is None else f"{100 * x:.0f}%"


def table_rows(summary: dict) -> list[list[str]]:
    """The per-variant table of a sweep summary as text cells, one row per variant, in ``COLUMNS`` order."""
    return [[v["variant"], str(v["images"]), str(v["top1_changed"]),
             f"{percent(v['flip_rate'])} ({percent(v['flip_rate_low'])}–{percent(v['flip_rate_high'])})",
             "–" if v["largest_change_median"] is None else fmt(v["largest_change_median"]),
             "–" if v["largest_change_p95"] is None else fmt(v["largest_change_p95"]),
             "–" if v["top5_overlap_mean"] is None else f"{v['top5_overlap_mean']:.2f} of 5"] for v in summary["variants"]]


def summary_text(summary: dict, markdown: bool = False) -> str:
    """The sweep's source, model and reference, its table (aligned columns or Markdown) and its headline."""
    rows = [list(COLUMNS), *table_rows(summary)]
    lines = [f"Images: {summary['source']}  ({summary['images_finished']} of {summary['images_listed']} done, "
             f"{summary['images_with_errors']} unreadable)", f"Model: {summary['model']}", f"Reference: {summary['reference']}", ""]
    if markdown:
        lines += ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    else:
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join([*lines, "", summary["headline"]])
