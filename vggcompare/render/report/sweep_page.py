"""A sweep's PDF report, drawn offscreen from the sweep's table and summary on the reports' pages.

Page 1: the headline, the per-variant table and the flip-rate chart with 95% Wilson intervals.
Page 2: the 12 images whose output moved most under some variant, as thumbnails with their numbers.
Page 3: the images whose top-1 flipped under the worst variant (highest flip rate), largest change first.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from vggcompare.core.analysis.sweep_flips import flipped_images, worst_variant
from vggcompare.core.analysis.sweep_text import COLUMNS, table_rows
from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.storage.paths import file_name  # the folder by its name, never its whole path
from vggcompare.core.storage.sweep_files import sweep_summary
from vggcompare.core.storage.sweep_table import SweepTable
from vggcompare.render.plots.flip_chart import draw_flip_chart

TOP_IMAGES = 12
MAP_OPACITY = 0.6  # as the flip grid draws them


def _largest(rows: list[dict], count: int) -> list[dict]:
    """The rows of the ``count`` images whose output moved most (each image once, at its largest change)."""
    best: dict[int, dict] = {}
    for r in rows:
        if r["variant_index"] > 0 and not r["error"] and (r["image_index"] not in best or r["largest_change"] > best[r["image_index"]]["largest_change"]):
            best[r["image_index"]] = r
    return sorted(best.values(), key=lambda r: -r["largest_change"])[:count]


def draw_sweep(page, summary: dict, rows: list[dict], thumbs: dict[int, bytes], maps: dict | None = None) -> None:
    """Page 1: headline, per-variant table and chart; page 2: the images whose output changed most."""
    from PySide6.QtCore import QRectF

    from vggcompare.render.report.blocks import esc

    page.text("<h1>vggcompare: many images</h1>")
    page.text(f"<span class='muted'>Images: {esc(file_name(summary['source']))} ({summary['images_finished']} of "
              f"{summary['images_listed']} done, {summary['images_with_errors']} unreadable). Model: {esc(summary['model'])}. "
              f"Reference: {esc(summary['reference'])}; {summary['passes']} pass(es) per image and variant.</span>")
    page.gap(5)
    page.box(f"<b>Result.</b> {esc(summary['headline'])}")
    page.gap(8)
    page.table(list(COLUMNS), table_rows(summary))
    page.gap(10)
    page.heading("How often each variant changes the top-1 answer")
    height = 60 + 22 * max(len(summary["variants"]), 1)
    page.ensure(height)
    draw_flip_chart(page.painter, QRectF(0, page.u(page.y), page.u(page.width), page.u(height)), summary)
    page.y += height
    largest = _largest(rows, TOP_IMAGES)
    if largest:
        page.new_page()
        page.text(f"<h1>The {len(largest)} images whose output changed most</h1>")
        page.gap(6)
        _thumb_grid(page, thumbs, [(r["image_index"], f"<b>{esc(r['image'])}</b><br>{esc(r['variant'])}: change "
                                   f"{fmt(r['largest_change'])} ({esc(r['largest_change_label'])})<br>top-1 "
                                   f"{esc(r['reference_top1_label'])} → {esc(r['top1_label'])}") for r in largest])
    worst = worst_variant(summary)
    flips = flipped_images(rows, worst, maps=maps) if worst else []
    if flips:
        page.new_page()
        shown = flips[:TOP_IMAGES]
        page.text(f"<h1>Where '{esc(worst)}' flipped the top-1</h1>")
        page.text(f"<span class='muted'>The variant with the highest flip rate changed the top-1 answer on {len(flips)} "
                  f"image{'s' if len(flips) != 1 else ''}; {'all are' if len(shown) == len(flips) else f'the {len(shown)} with the largest change are'} "
                  f"shown, largest change first: reference → variant top-1, each with its mean probability. "
                  f"{_maps_sentence(shown)}</span>")
        page.gap(6)
        _thumb_grid(page, thumbs, [(f.image_index, f"<b>{esc(f.image)}</b><br>{esc(f.reference_top1_label)}"
                                   f"{'' if f.reference_top1_probability is None else f' {fmt(f.reference_top1_probability)}'}"
                                   f" → {esc(f.top1_label)} {fmt(f.top1_probability)}<br>change {fmt(f.largest_change)}")
                                  for f in shown], {f.image_index: f for f in shown if f.has_maps})


def _maps_scale(flips) -> tuple[float, float] | None:
    """The one colour scale of every map shown (None when there are none)."""
    from vggcompare.render.plots.heatmap import map_range

    mapped = [np.stack([f.reference_map, f.variant_map]).reshape(-1) for f in flips if f.has_maps]
    return map_range(np.concatenate(mapped)) if mapped else None


def _maps_sentence(flips) -> str:
    scale = _maps_scale(flips)
    if scale is None:
        return "No maps computed (the sweep ran without --explain)."
    method = next(f.map_method for f in flips if f.has_maps)
    return (f"Under each picture, the sweep's mean {'Grad-CAM' if method == 'gradcam' else 'occlusion'} map of the reference "
            f"(left) and of the variant (right), each for its own top-1, on one colour scale: {scale[0]:.3g} (dark) to "
            f"{scale[1]:.3g} (bright).")


def _thumb_grid(page, thumbs: dict[int, bytes], items: list[tuple[int, str]], mapped: dict | None = None) -> None:
    """Thumbnails four to a row, each with its caption (HTML) under it; ``mapped`` flips get both maps instead."""
    from PySide6.QtGui import QImage

    side, caption = page.width / 4, 44
    scale = _maps_scale(list((mapped or {}).values()))
    tall = side - 12 if scale is None else (side - 8) / 2 + 4  # a pair of maps is twice as wide as high
    for k, (index, html) in enumerate(items):
        x, y = (k % 4) * side, page.y + (k // 4) * (tall + 12 + caption)
        thumb = QImage.fromData(thumbs.get(index, b""))
        if index in (mapped or {}):
            from vggcompare.render.plots.heatmap import two_maps

            flip = mapped[index]
            pair = two_maps(None if thumb.isNull() else thumb, flip.reference_map, flip.variant_map, scale, 256, MAP_OPACITY)
            page.image(pair.toImage(), x, y, side - 8, tall)
        elif not thumb.isNull():
            page.image(thumb, x, y, side - 8, tall)
        page.text(f"<span class='small'>{html}</span>", x=x, width=side - 8, y=y + tall + 4)


def write_sweep_report(folder: str | os.PathLike, path: str | os.PathLike, page_size: str | None = None) -> Path:
    """Write the sweep's PDF report from its table (A4 or Letter as the locale says, unless ``page_size``)."""
    from vggcompare.render.report.output import write_pdf

    with SweepTable(folder, create=False) as table:
        summary, rows, thumbs, maps = sweep_summary(table), table.rows(), table.thumbnails(), table.maps()
    return write_pdf(path, lambda page: draw_sweep(page, summary, rows, thumbs, maps), page_size=page_size,
                     title="vggcompare: many images")
