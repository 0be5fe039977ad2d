"""The checkup's report: one page with the headline, the ranked table of measured causes, and the causes that
could not apply with their reasons."""

from __future__ import annotations

import os
from pathlib import Path

from vggcompare.core.storage.paths import hide_folders
from vggcompare.render.report.blocks import esc
from vggcompare.render.report.page import Page


def draw_checkup(page: Page, checkup, full_paths: bool = False) -> None:
    """Draw the checkup's page: what it ran on, the headline, the table and the not-applicable causes."""
    paths = [checkup.image]
    outcome = checkup.as_outcome()
    page.text("<h1>Checkup: every cause against your pipeline</h1>")
    page.text(f"<span class='muted'>{esc(hide_folders(outcome.explanation, paths, full_paths))} "
              f"Model: {esc(hide_folders(checkup.model, paths, full_paths))}.</span>")
    page.gap(5)
    page.box(f"<b>Result.</b> {esc(checkup.headline())} {checkup.passes_run} passes in {checkup.seconds:.1f} s.")
    page.gap(8)
    from vggcompare.render.report.blocks import data_table
    from vggcompare.render.report.page import BASE_PT

    notes = f"<span class='small'>{esc(outcome.notes[0])}</span>"
    last = ("<span class='small'>Each cause is one variant at its most common setting, one pass (the batch size "
            "cause: 8), measured against the reference unless its setting says otherwise; checkup.json holds each "
            "cause's sentence on what your code would do to hit it.</span>")
    below = page.measure(notes) + page.measure(last) + 12  # the two paragraphs under the table, and their gaps
    # the cells' padding shrinks to 2, then the type to 6 pt, then the padding to 1, until the page holds it all
    # (a checkup is one page)
    size, padding = BASE_PT, 4
    while page.measure(data_table(outcome.columns, outcome.rows, padding), size=size) + below > page.remaining:
        if padding > 2:
            padding -= 1
        elif size > 6:
            size -= 0.5
        elif padding > 1:
            padding -= 1
        else:
            break
    page.table(outcome.columns, outcome.rows, size=size, padding=padding)
    page.gap(4)
    page.text(notes)
    page.gap(4)
    page.text(last)


def write_checkup_report(checkup, path: str | os.PathLike, overwrite: bool = True, full_paths: bool = False,
                         page_size: str | None = None) -> Path:
    """Write the checkup's one-page PDF."""
    from vggcompare.render.figures.paper import ensure_app
    from vggcompare.render.report.output import write_pdf

    ensure_app()
    return write_pdf(path, lambda page: draw_checkup(page, checkup, full_paths), overwrite=overwrite,
                     page_size=page_size, landscape=True, title="vggcompare: checkup")
