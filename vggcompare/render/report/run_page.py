"""The run report: one page with the verdict, the input and what the model saw, top-5, spread and settings."""

from __future__ import annotations

from contextvars import ContextVar

import os
from pathlib import Path

from vggcompare.core.analysis.result import RunResult
from vggcompare.core.storage.paths import hide_folders, result_paths, shown_path
from vggcompare.render.report.blocks import environment_pairs, esc, files_html, pairs_table, settings_pairs
from vggcompare.render.report.page import Page

PX_PER_PT = 4 / 3  # a widget pixel is 0.75 point, as on a 96 dpi screen
THUMBS = 4  # thumbnails shown on the page
MIN_SPREAD = 120.0  # points: the spread plot beside the maps is never shorter


def px(points: float) -> int:
    """Widget pixels for ``points`` on the page."""
    return max(1, round(points * PX_PER_PT))


def verdict_html(result: RunResult, full_paths: bool) -> str:
    """The run's verdict as the page's headline, with folders hidden."""
    return f"<b>Verdict.</b> {esc(hide_folders(result.verdict, result_paths(result), full_paths))}"


PICTURES: ContextVar[dict | None] = ContextVar("report_pictures", default=None)  # read beforehand (the window's file job)


def load_pictures(results) -> dict:
    """The runs' pictures read from disk, by source (a file job: the window renders reports without reading files)."""
    from vggcompare.core.errors import ImageError
    from vggcompare.core.input.images import load_image

    pictures = {}
    for result in results:
        source = result.config.image or result.image.source
        if source and source not in pictures:
            try:
                pictures[source] = load_image(str(source)).image
            except ImageError:
                pictures[source] = None
    return pictures


def _picture(result: RunResult):
    """The analysed picture as a QImage, when its file is still on disk (or was read beforehand into ``PICTURES``)."""
    from vggcompare.render.qimages import pil_to_pixmap

    source = result.config.image or result.image.source
    preloaded = PICTURES.get()
    image = (preloaded.get(source) if preloaded is not None else load_pictures([result]).get(source)) if source else None
    return pil_to_pixmap(image, 600).toImage() if image is not None else None


def _thumb_image(thumb):
    from vggcompare.core.input.images import decode_png
    from vggcompare.render.qimages import array_to_qimage

    return array_to_qimage(decode_png(thumb.png))


def inputs_block(page: Page, result: RunResult, x: float, y: float, width: float, full_paths: bool, draw: bool) -> float:
    """The picture with its name, then the first inputs as the model saw them; returns the height used."""
    picture, h = _picture(result), 0.0
    name = shown_path(result.config.image or result.image.source, full_paths)
    size = result.image.original_size or ("?", "?")
    if picture is not None:
        box_h = min(120.0, width * picture.height() / max(1, picture.width()))
        h += (page.image(picture, x, y, width, box_h).height() if draw else box_h) + 3
    else:
        h += page.text("<span class='small'>(The picture's file is no longer available.)</span>", x, width, y + h) if draw else 10
    caption = f"<span class='small'><b>{esc(name)}</b> · {size[0]}×{size[1]} {esc(result.image.format or '')}</span>"
    h += page.text(caption, x, width, y + h) if draw else page.measure(caption, width)
    thumbs = result.thumbnails[:THUMBS]
    if not thumbs:
        return h
    varied = result.config.augment.enabled or len({t.png for t in result.thumbnails}) > 1
    if not varied:
        thumbs = thumbs[:1]
    head = ("<b>What the model saw</b>" + (f" (first {len(thumbs)} of {result.passes} passes)" if varied and len(thumbs) < result.passes
                                           else "" if varied else ": every pass got this input"))
    h += 6
    h += page.text(f"<span class='small'>{head}</span>", x, width, y + h) if draw else page.measure(f"<span class='small'>{head}</span>", width)
    cell = (width - 4 * (THUMBS - 1)) / THUMBS
    tallest = 0.0
    for k, thumb in enumerate(thumbs):
        cx = x + k * (cell + 4)
        if draw:
            page.image(_thumb_image(thumb), cx, y + h + 2, cell, cell)
        text = f"<span style='font-size: 5.5pt'>{esc(thumb.caption)}</span>" if varied else ""
        th = (page.text(text, cx, cell, y + h + cell + 4) if draw else page.measure(text, cell)) if text else 0.0
        tallest = max(tallest, cell + 4 + th)
    return h + tallest


def settings_html(result: RunResult, full_paths: bool) -> str:
    """The compact table of settings, then of environment."""
    return ("<p class='h2'>Settings</p>" + pairs_table(settings_pairs(result)) + files_html(result, full_paths)
            + "<p class='h2'>Environment</p>" + pairs_table(environment_pairs(result)))


def spread_line(result: RunResult) -> str | None:
    """One sentence instead of the spread plot when there is no spread to plot; None otherwise."""
    s = result.statistics
    if s.passes == 1:
        return "Only 1 pass was run, so there is no spread to show."
    if s.all_bit_identical:
        return f"All {s.passes} passes were bit-identical: every class's variance is exactly 0, so there is no spread to plot."
    return None


def draw_run(page: Page, result: RunResult, title: str, full_paths: bool = False) -> None:
    """Draw one run on the current page: heading, verdict, inputs beside top-5, spread, settings."""
    from vggcompare.render.figures.build import build_figure
    from vggcompare.render.figures.paper import discard

    name = hide_folders(result.name or result.config.summary(), result_paths(result), full_paths)
    page.text(f"<h1>{esc(title)}</h1>")
    page.text(f"<span class='muted'>{esc(name)} · {esc(result.created[:19].replace('T', ' '))}</span>", size=7.5)
    page.gap(5)
    page.box(verdict_html(result, full_paths))
    page.gap(8)
    left = page.width * 0.34
    right_x = left + 14
    top5 = build_figure("top5", result, width=px(page.width - right_x), height=None, caption=False)
    top5_h = top5.height() / PX_PER_PT * (page.width - right_x) / (top5.width() / PX_PER_PT)
    table = settings_html(result, full_paths)
    table_h = page.measure(table, size=7)
    page.ensure(inputs_block(page, result, 0, 0, left, full_paths, draw=False))
    top = page.y
    used = inputs_block(page, result, 0, top, left, full_paths, draw=True)
    used = max(used, page.figure(top5, right_x, page.width - right_x, y=top))
    discard(top5)
    page.y = top + used + 8
    if result.layer_comparison is not None:  # a training-mode run with layers: where it enters, against inference
        height = min(170.0, max(110.0, page.remaining - table_h - 80))
        layers = build_figure("layers", result, width=px(page.width), height=px(height), caption=False,
                              options={"layers": result.layer_comparison, "min_height": 90,
                                       "title": "Through the network: training mode against inference, layer by layer"})
        page.ensure(height)
        page.figure(layers, 0, page.width)
        discard(layers)
        page.gap(4)
    if result.explanation is not None:  # the maps beside the spread, as large as one page allows
        _maps_and_spread(page, result, page.remaining - table_h - 6)
    else:
        _spread(page, result, 0, page.width, min(300.0, max(150.0, page.remaining - table_h - 12)))
    page.gap(6)
    page.text(table, size=7)


def _spread(page: Page, result: RunResult, x: float, width: float, height: float, y: float | None = None) -> float:
    """The spread plot (or its one sentence) ``width`` wide at ``x``; at the cursor unless ``y``; returns its height."""
    from vggcompare.render.figures.build import build_figure
    from vggcompare.render.figures.paper import discard

    line = spread_line(result)
    if line is not None:
        html = f"<p class='h2'>Spread over the passes</p><p>{esc(line)}</p>"
        if y is not None:
            return page.text(html, x, width, y)
        return page.text(html)
    spread = build_figure("variance", result, width=px(width), height=px(height), caption=False,
                          options={"min_height": px(60)})
    if y is None:
        page.ensure(height)
    drawn = page.figure(spread, x, width, y=y)
    discard(spread)
    return drawn


def _maps_and_spread(page: Page, result: RunResult, room: float) -> None:
    """The maps on the left, the spread on the right, together at most ``room`` points tall where they fit."""
    from vggcompare.render.figures.build import build_figure
    from vggcompare.render.figures.paper import discard

    maps_w = page.width * 0.46
    maps = build_figure("explanation", result, width=px(maps_w), height=None, caption=False)
    ratio = maps.height() / maps.width()
    maps_w = max(page.width * 0.34, min(maps_w, room / ratio))
    height = maps_w * ratio
    spread_h = max(height, MIN_SPREAD, min(220.0, room - 8))  # the spread takes the room the maps leave
    page.ensure(max(height, spread_h))
    top = page.y
    used = page.figure(maps, 0, maps_w, y=top)
    discard(maps)
    x = maps_w + 12
    used = max(used, _spread(page, result, x, page.width - x, spread_h, y=top))
    page.y = top + used


def write_run_report(result: RunResult, path: str | os.PathLike, overwrite: bool = True, full_paths: bool = False,
                     page_size: str | None = None) -> Path:
    """Write a one-page PDF report of one run (file names only unless ``full_paths``)."""
    from vggcompare.render.report.output import write_pdf

    def draw(page: Page) -> None:
        draw_run(page, result, "vggcompare · run report", full_paths)

    return write_pdf(path, draw, overwrite=overwrite, page_size=page_size)
