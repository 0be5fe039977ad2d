"""The demonstration report: one page with its table, bar chart and headline; every run only in an appendix."""

from __future__ import annotations

import os
from pathlib import Path

from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.storage.paths import hide_folders, result_paths, shown_path
from vggcompare.render.report.blocks import data_table, esc
from vggcompare.render.report.page import DPI, Page, page_size_named
from vggcompare.render.report.run_page import draw_run, px

LANDSCAPE_RATIO = 1.15  # turn the page when the table's natural width exceeds the portrait width by this much


def _paths(outcome) -> list[str]:
    return [p for r in outcome.runs.values() for p in result_paths(r)]


def chart_bars(outcome) -> tuple[list[tuple[str, float]], str, str]:
    """The preset's own bars, or else each run's largest standard deviation over its passes."""
    if outcome.bars:
        return outcome.bars, outcome.bars_label, "no change"
    bars = [(label, float(r.statistics.max_std)) for label, r in outcome.runs.items()]
    return bars, "largest standard deviation of any class over the run's passes", "bit-identical passes"


def images_named(outcome, full_paths: bool = False) -> str:
    """'Image: cat.jpg. ' (or 'Images: a.png, b.png. '): the pictures the runs analysed, each named once; '' with no run."""
    names = [shown_path(r.config.image or r.image.source, full_paths) for r in outcome.runs.values()]
    names = [name for name in dict.fromkeys(names) if name]
    if not names:
        return ""
    return f"Image{'s' if len(names) > 1 else ''}: {', '.join(names)}. "


def _bars_figure(outcome, width: int):
    """The preset's bar chart (one bar per variant) on paper colours."""
    from vggcompare.render.plots.bars import BarsPlot
    from vggcompare.render.figures.build import plot_fonts
    from vggcompare.render.figures.paper import lay_out, paper_palette, without_ligatures

    chart = BarsPlot()
    chart.widget.setPalette(paper_palette())
    chart.widget.setFont(without_ligatures(chart.widget.font()))
    bars, label, zero = chart_bars(outcome)
    chart.show(bars, label, chart.widget.palette(), zero)
    plot_fonts(chart.widget, chart.widget.font())
    lay_out(chart.widget, width, 70 + 28 * len(bars))
    return chart.widget


def wants_landscape(outcome, size) -> bool:
    """True when the preset's table is too wide for a portrait page of ``size``."""
    from PySide6.QtCore import QBuffer, QIODevice

    sink = QBuffer()
    sink.open(QIODevice.OpenModeFlag.WriteOnly)
    probe = Page(sink, size)  # measures only: what it writes is thrown away
    table = data_table(outcome.columns, outcome.rows).replace("width='100%' ", "")
    natural = probe.document(table, 10_000).idealWidth() * 72 / DPI
    portrait = probe.width
    probe.close()
    return natural > portrait * LANDSCAPE_RATIO


def runs_table(outcome) -> str:
    """One row per run: its name, top-1 with mean probability, and whether its passes varied."""
    rows = []
    for label, r in outcome.runs.items():
        s = r.statistics
        within = f"all {s.passes} bit-identical" if s.all_bit_identical else f"largest std {fmt(s.max_std)}"
        rows.append([label, f"{r.labels[s.top1_mode]} ({fmt(float(s.mean[s.top1_mode]))})", within])
    return data_table(["run", "top-1 (mean probability)", "passes"], rows)


def run_line(label: str, result) -> str:
    """One line for a run whose passes were bit-identical."""
    s = result.statistics
    return (f"<b>{esc(label)}</b>: all {s.passes} passes bit-identical; top-1 "
            f"'{esc(result.labels[s.top1_mode])}' ({fmt(float(s.mean[s.top1_mode]))}).")


def draw_preset(page: Page, outcome, full_paths: bool = False, appendix: bool = False) -> None:
    """Draw the demonstration's page, then (with ``appendix``) every run after it."""
    from vggcompare.render.figures.paper import discard

    paths = _paths(outcome)
    page.text(f"<h1>{esc(outcome.title)}</h1>")
    page.text(f"<span class='muted'>{esc(outcome.explanation)} {esc(images_named(outcome, full_paths))}"
              f"Model: {esc(hide_folders(outcome.model, paths, full_paths))}.</span>")
    page.gap(5)
    page.box(f"<b>Result.</b> {esc(hide_folders(outcome.headline, paths, full_paths))}")
    page.gap(8)
    page.table(outcome.columns, [[hide_folders(str(v), paths, full_paths) for v in row] for row in outcome.rows])
    for note in outcome.notes:
        page.gap(3)
        page.text(f"<span class='small'>Note: {esc(hide_folders(note, paths, full_paths))}</span>")
    if outcome.runs or outcome.bars:
        page.gap(10)
        chart = _bars_figure(outcome, px(page.width))
        page.ensure(chart.height() * 0.75 + 20)  # the heading stays with its chart
        page.heading("How much each variant moves the output" if outcome.bars else "How much the passes varied within each run")
        page.figure(chart, 0, page.width)
        discard(chart)
    runs = runs_table(outcome)
    if outcome.runs and page.measure(runs) + 30 < page.remaining:
        page.gap(8)
        page.heading("The runs")
        page.text(runs)
    page.gap(8)
    n = len(outcome.runs)
    more = ("Every run follows in the appendix." if appendix else
            "Each run's result file holds its detail; add --appendix (or tick “Include every run”) to print every run.")
    page.text(f"<span class='small'>{n} run{'s' if n != 1 else ''}, {fmt_passes(outcome)}. {more}</span>")
    if appendix:
        draw_appendix(page, outcome, full_paths)


def fmt_passes(outcome) -> str:
    """'3 passes each' or '3 to 10 passes'."""
    counts = sorted({r.passes for r in outcome.runs.values()})
    if not counts:
        return "no passes"
    return f"{counts[0]} pass{'es' if counts[0] != 1 else ''} each" if len(counts) == 1 else f"{counts[0]} to {counts[-1]} passes"


def draw_appendix(page: Page, outcome, full_paths: bool) -> None:
    """Bit-identical runs as one line each, then a page for every run whose passes differed."""
    page.new_page(landscape=False)
    page.text("<h1>Appendix: every run</h1>")
    page.gap(6)
    same = [(label, r) for label, r in outcome.runs.items() if r.statistics.all_bit_identical or r.passes == 1]
    varied = [(label, r) for label, r in outcome.runs.items() if (label, r) not in same]
    for label, r in same:
        page.text(run_line(label, r))
        page.gap(2)
    if not same:
        page.text("Every run's passes differed; each has a page below.")
    for label, r in varied:
        page.new_page()
        draw_run(page, r, f"Run: {label}", full_paths)


def write_preset_report(outcome, path: str | os.PathLike, overwrite: bool = True, full_paths: bool = False,
                        appendix: bool = False, page_size: str | None = None) -> Path:
    """Write a PDF of a demonstration: one page, then (with ``appendix``) every run."""
    from vggcompare.render.report.output import write_pdf

    from vggcompare.render.figures.paper import ensure_app

    ensure_app()
    landscape = wants_landscape(outcome, page_size_named(page_size))
    return write_pdf(path, lambda page: draw_preset(page, outcome, full_paths, appendix), overwrite=overwrite,
                     page_size=page_size, landscape=landscape, title=f"vggcompare: {outcome.title}")
