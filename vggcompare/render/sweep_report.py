"""A sweep's PDF report and chart, drawn offscreen from the sweep's table and summary (the report on :mod:`vggcompare.render.report`'s pages).

Page 1: the headline, the per-variant table and the flip-rate chart with 95% Wilson intervals.
Page 2: the 12 images whose output moved most under some variant, as thumbnails with their numbers.
Page 3: the images whose top-1 flipped under the worst variant (highest flip rate), largest change first.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from vggcompare.core.analysis.sweep_flips import flipped_images, worst_variant
from vggcompare.core.analysis.sweep_text import COLUMNS, percent, table_rows
from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.atomic import atomic_write_bytes
from vggcompare.core.storage.paths import file_name  # the folder by its name, never its whole path
from vggcompare.core.storage.sweep_files import sweep_summary
from vggcompare.core.storage.sweep_table import SweepTable
from vggcompare.render.figures.paper import ensure_app
from vggcompare.render.report.page import ACCENT

TOP_IMAGES = 12
MAP_OPACITY = 0.6  # as the flip grid draws them


CHART_FONT = ("DejaVu Sans", 8)


def _bars_span(rect, line_height: float) -> tuple[float, float]:
    """The top and bottom of the bars' band in the chart's ``rect``, for a font of ``line_height``."""
    return rect.top() + line_height * 1.5, rect.bottom() - line_height * 2.2


def variant_at(rect, summary: dict, y: float, line_height: float) -> str | None:
    """The variant whose bar row holds height ``y`` in a chart drawn in ``rect`` (None above or below the bars)."""
    variants = summary["variants"]
    top, bottom = _bars_span(rect, line_height)
    if not variants or not top <= y < bottom:
        return None
    return variants[min(int((y - top) / ((bottom - top) / len(variants))), len(variants) - 1)]["variant"]


def draw_flip_chart(painter, rect, summary: dict) -> None:
    """Horizontal bars of each variant's top-1 flip rate, with its 95% interval as a whisker."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QPen

    variants = summary["variants"]
    font = QFont(*CHART_FONT)
    painter.setFont(font)
    metrics = painter.fontMetrics()
    pad, value_w = metrics.horizontalAdvance("0"), metrics.horizontalAdvance("100%")  # sizes follow the font, at any resolution
    label_w = min(rect.width() * 0.42, max([metrics.horizontalAdvance(v["variant"]) for v in variants] + [value_w]) + 2 * pad)
    left, right = rect.left() + label_w, rect.right() - value_w - 2 * pad
    top, bottom = _bars_span(rect, metrics.height())
    painter.setPen(QColor("#111"))
    painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), metrics.height() * 1.4), Qt.AlignmentFlag.AlignLeft,
                     "Share of images whose top-1 changed against the reference (bar), with its 95% Wilson interval (line)")
    n = max(len(variants), 1)
    step = (bottom - top) / n
    x_of = lambda p: left + (right - left) * p  # noqa: E731
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        painter.setPen(QPen(QColor("#ccc"), max(1.0, pad / 8)))
        painter.drawLine(QPointF(x_of(tick), top), QPointF(x_of(tick), bottom))
        painter.setPen(QColor("#333"))
        painter.drawText(QRectF(x_of(tick) - value_w, bottom + pad / 4, 2 * value_w, metrics.height()), Qt.AlignmentFlag.AlignHCenter,
                         f"{tick:.0%}")
    for k, v in enumerate(variants):
        y = top + k * step
        painter.setPen(QColor("#111"))
        painter.drawText(QRectF(rect.left(), y, label_w - pad, step), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(v["variant"], Qt.TextElideMode.ElideRight, int(label_w - pad)))
        if v["flip_rate"] is None:
            painter.drawText(QRectF(left + pad / 2, y, right - left, step), Qt.AlignmentFlag.AlignVCenter, "no usable image")
            continue
        bar = QRectF(left, y + step * 0.2, max(x_of(v["flip_rate"]) - left, pad / 8), step * 0.6)
        painter.fillRect(bar, QColor(ACCENT))
        painter.setPen(QPen(QColor("#111"), max(1.0, step * 0.04)))
        mid = y + step / 2
        lo, hi = x_of(v["flip_rate_low"]), x_of(v["flip_rate_high"])
        painter.drawLine(QPointF(lo, mid), QPointF(hi, mid))
        for x in (lo, hi):
            painter.drawLine(QPointF(x, mid - step * 0.15), QPointF(x, mid + step * 0.15))
        painter.drawText(QRectF(hi + pad / 2, y, value_w + pad, step), Qt.AlignmentFlag.AlignVCenter, percent(v["flip_rate"]))
    painter.drawText(QRectF(rect.left(), bottom + metrics.height(), rect.width(), metrics.height() * 1.2),
                     Qt.AlignmentFlag.AlignHCenter, f"{summary['images_finished'] - summary['images_with_errors']} images; "
                     f"reference: {summary['reference']}")


def write_chart_png(summary: dict, path: str | os.PathLike, width: int = 1000) -> Path:
    """Draw the flip-rate chart to a PNG file (for a README or a slide)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    ensure_app()
    height = 90 + 34 * max(len(summary["variants"]), 1)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    draw_flip_chart(painter, QRectF(10, 10, width - 20, height - 20), summary)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return atomic_write_bytes(path, bytes(data))


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
