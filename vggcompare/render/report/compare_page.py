"""The comparison report: one page with both runs' top-5, the difference plot, where the difference enters the network
(when both runs kept their layers), and what differs."""

from __future__ import annotations

import os
from pathlib import Path

from vggcompare.core.analysis.result import RunResult
from vggcompare.core.passes.environment import environment_line
from vggcompare.core.storage.paths import hide_folders, result_paths
from vggcompare.render.report.blocks import data_table, differing_rows, esc
from vggcompare.render.report.page import Page
from vggcompare.render.report.run_page import PX_PER_PT, px


def draw_comparison(page: Page, a: RunResult, b: RunResult, full_paths: bool = False) -> None:
    """Draw A against B on the current page."""
    from vggcompare.core.analysis.compare import compare_results
    from vggcompare.render.figures.build import build_figure
    from vggcompare.render.figures.paper import discard

    cmp = compare_results(a, b)
    paths = result_paths(a) + result_paths(b)
    page.text("<h1>vggcompare · comparison report</h1>")
    for tag, r in (("A", a), ("B", b)):
        name = hide_folders(r.name or r.config.summary(), paths, full_paths)
        page.text(f"<span class='muted'><b>{tag}:</b> {esc(name)} · {esc(r.created[:19].replace('T', ' '))}</span>", size=7.5)
    page.gap(5)
    page.box(f"<b>Verdict.</b> {esc(hide_folders(cmp.verdict, paths, full_paths))}")
    page.gap(8)
    half = (page.width - 14) / 2
    largest = max(c.max for r in (a, b) for c in r.statistics.top5)
    figures = [build_figure("top5", r, width=px(half), height=None, caption=False, options={"largest": largest}) for r in (a, b)]
    heads = [f"<b>{tag}</b> · {esc(r.config.summary())}" for tag, r in (("A", a), ("B", b))]
    head_h = max(page.measure(h, half) for h in heads)
    page.ensure(head_h + max(f.height() for f in figures) / PX_PER_PT * half / (figures[0].width() / PX_PER_PT))
    top = page.y
    used = 0.0
    for col, (head, fig) in enumerate(zip(heads, figures)):
        x = col * (half + 14)
        page.text(head, x, half, y=top)
        used = max(used, head_h + 2 + page.figure(fig, x, half, y=top + head_h + 2))
        discard(fig)
    page.y = top + used + 8
    rows = differing_rows(a, b, list(cmp.numbers.config_differences), list(cmp.environment_differences), full_paths)
    table = data_table(["what differs", "A", "B"], rows) if rows else "<p>Nothing: the settings and the environment are the same.</p>"
    who = "A ran on" if cmp.environment_differences else "Both ran on"
    table += f"<p class='small'>{who}: {esc(environment_line(a.environment))}</p>"
    table_h = page.measure(table, size=7.5) + 20
    maps, wide, maps_h = None, page.width * 0.6, 0.0
    if cmp.maps is not None:  # the maps' height is kept free, so the page stays one page
        maps = build_figure("maps-compare", a, width=px(wide), height=None, caption=False, options={"comparison": cmp})
        maps_h = maps.height() * wide / maps.width() + 4
    layers, layers_h = None, 0.0
    if cmp.layers is not None:  # both runs kept their layers: where the difference enters, kept free like the maps
        layers_h = 170.0
        layers = build_figure("layers", a, width=px(page.width), height=px(layers_h), caption=False,
                              options={"against": b, "layers": cmp.layers, "min_height": 120})
    if not cmp.numbers.mean_difference.any():  # one line, not an empty plot
        page.heading("Difference of mean probabilities, B − A")
        page.text("None: every class's mean probability is the same in A and B.")
    else:
        height = min(260.0, max(140.0 if layers is None else 110.0, page.remaining - table_h - maps_h - layers_h - 8))
        diff = build_figure("difference", a, width=px(page.width), height=px(height), caption=False, options={"against": b, "comparison": cmp})
        page.ensure(height)
        page.figure(diff, 0, page.width)
        discard(diff)
    if maps is not None:
        page.gap(4)
        page.ensure(maps_h - 4)
        page.figure(maps, 0, wide)
        discard(maps)
    if layers is not None:
        page.gap(4)
        page.ensure(layers_h)
        page.figure(layers, 0, page.width)
        discard(layers)
    page.gap(6)
    page.heading("Settings and environment that differ")
    page.text(table, size=7.5)


def write_comparison_report(a: RunResult, b: RunResult, path: str | os.PathLike, overwrite: bool = True,
                            full_paths: bool = False, page_size: str | None = None) -> Path:
    """Write a one-page PDF report comparing run A with run B (file names only unless ``full_paths``)."""
    from vggcompare.render.report.output import write_pdf

    return write_pdf(path, lambda page: draw_comparison(page, a, b, full_paths), overwrite=overwrite,
                     page_size=page_size, title="vggcompare comparison report")
