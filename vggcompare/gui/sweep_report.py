"""A sweep's PDF report and chart, drawn with QPainter (offscreen) from the sweep's table and summary.

Page 1: the headline, the per-variant table and the flip-rate chart with 95% Wilson intervals.
Page 2: the 12 images whose output moved most under some variant, as thumbnails with their numbers.
"""

from __future__ import annotations

import os
from pathlib import Path

from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.atomic import atomic_write_bytes
from vggcompare.core.storage.paths import file_name  # the folder by its name, never its whole path
from vggcompare.core.storage.sweep_files import sweep_summary
from vggcompare.core.storage.sweep_table import SweepTable

ACCENT = "#0072B2"  # Okabe-Ito blue, prints well
TOP_IMAGES = 12
COLUMNS = ("variant", "images", "top-1 changed", "flip rate (95% interval)", "median change", "95th pct change", "mean top-5 overlap")


def _app():
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def table_rows(summary: dict) -> list[list[str]]:
    """The per-variant table as text cells (the CLI prints the same)."""
    return [[v["variant"], str(v["images"]), str(v["top1_changed"]),
             f"{_pct(v['flip_rate'])} ({_pct(v['flip_rate_low'])}–{_pct(v['flip_rate_high'])})",
             "–" if v["largest_change_median"] is None else fmt(v["largest_change_median"]),
             "–" if v["largest_change_p95"] is None else fmt(v["largest_change_p95"]),
             "–" if v["top5_overlap_mean"] is None else f"{v['top5_overlap_mean']:.2f} of 5"] for v in summary["variants"]]


def draw_flip_chart(painter, rect, summary: dict) -> None:
    """Horizontal bars of each variant's top-1 flip rate, with its 95% interval as a whisker."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QPen

    variants = summary["variants"]
    font = QFont("DejaVu Sans", 8)
    painter.setFont(font)
    metrics = painter.fontMetrics()
    label_w = min(rect.width() * 0.42, max([metrics.horizontalAdvance(v["variant"]) for v in variants] + [40]) + 12)
    left, right = rect.left() + label_w, rect.right() - 40
    top, bottom = rect.top() + metrics.height() * 1.5, rect.bottom() - metrics.height() * 2.2
    painter.setPen(QColor("#111"))
    painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), metrics.height() * 1.4), Qt.AlignmentFlag.AlignLeft,
                     "Share of images whose top-1 changed against the reference (bar), with its 95% Wilson interval (line)")
    n = max(len(variants), 1)
    step = (bottom - top) / n
    x_of = lambda p: left + (right - left) * p  # noqa: E731
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        painter.setPen(QPen(QColor("#ccc"), 1))
        painter.drawLine(QPointF(x_of(tick), top), QPointF(x_of(tick), bottom))
        painter.setPen(QColor("#333"))
        painter.drawText(QRectF(x_of(tick) - 30, bottom + 2, 60, metrics.height()), Qt.AlignmentFlag.AlignHCenter, f"{tick:.0%}")
    for k, v in enumerate(variants):
        y = top + k * step
        painter.setPen(QColor("#111"))
        painter.drawText(QRectF(rect.left(), y, label_w - 8, step), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(v["variant"], Qt.TextElideMode.ElideRight, int(label_w - 8)))
        if v["flip_rate"] is None:
            painter.drawText(QRectF(left + 4, y, right - left, step), Qt.AlignmentFlag.AlignVCenter, "no usable image")
            continue
        bar = QRectF(left, y + step * 0.2, max(x_of(v["flip_rate"]) - left, 1.0), step * 0.6)
        painter.fillRect(bar, QColor(ACCENT))
        painter.setPen(QPen(QColor("#111"), max(1.0, step * 0.04)))
        mid = y + step / 2
        lo, hi = x_of(v["flip_rate_low"]), x_of(v["flip_rate_high"])
        painter.drawLine(QPointF(lo, mid), QPointF(hi, mid))
        for x in (lo, hi):
            painter.drawLine(QPointF(x, mid - step * 0.15), QPointF(x, mid + step * 0.15))
        painter.drawText(QRectF(hi + 4, y, 60, step), Qt.AlignmentFlag.AlignVCenter, _pct(v["flip_rate"]))
    painter.drawText(QRectF(rect.left(), bottom + metrics.height(), rect.width(), metrics.height() * 1.2),
                     Qt.AlignmentFlag.AlignHCenter, f"{summary['images_finished'] - summary['images_with_errors']} images; "
                     f"reference: {summary['reference']}")


def write_chart_png(summary: dict, path: str | os.PathLike, width: int = 1000) -> Path:
    """Draw the flip-rate chart to a PNG file (for a README or a slide)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    _app()
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


def write_sweep_report(folder: str | os.PathLike, path: str | os.PathLike) -> Path:
    """Write the sweep's two-page PDF report from its table; return the path."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

    _app()
    with SweepTable(folder, create=False) as table:
        summary, rows, thumbs = sweep_summary(table), table.rows(), table.thumbnails()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buf)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, QMarginsF(15, 15, 15, 15)))
    writer.setResolution(150)
    writer.setTitle("vggcompare sweep report")
    p = QPainter(writer)
    page = QRectF(0, 0, writer.width(), writer.height())
    wrap = Qt.TextFlag.TextWordWrap

    def text(y: float, words: str, size: float = 9, bold: bool = False, color: str = "#111") -> float:
        font = QFont("DejaVu Sans", size)
        font.setBold(bold)
        p.setFont(font)
        p.setPen(QColor(color))
        box = p.boundingRect(QRectF(0, y, page.width(), 10_000), wrap, words)
        p.drawText(QRectF(0, y, page.width(), box.height()), wrap, words)
        return y + box.height() + 8

    y = text(0, "vggcompare: many images", 16, True)
    y = text(y, f"Images: {file_name(summary['source'])} ({summary['images_finished']} of {summary['images_listed']} done, "
                f"{summary['images_with_errors']} unreadable)\nModel: {summary['model']}\nReference: {summary['reference']}; "
                f"{summary['passes']} pass(es) per image and variant", 8.5, color="#333")
    y = text(y, summary["headline"], 10, color=ACCENT)
    cells = [list(COLUMNS), *table_rows(summary)]
    widths = [0.30, 0.07, 0.09, 0.18, 0.11, 0.11, 0.14]
    for k, row in enumerate(cells):
        x = 0.0
        for cell, w in zip(row, widths):
            font = QFont("DejaVu Sans", 7.5)
            font.setBold(k == 0)
            p.setFont(font)
            p.setPen(QColor("#111"))
            p.drawText(QRectF(x, y, page.width() * w - 4, 60), wrap, cell)
            x += page.width() * w
        y += 60 if k == 0 else 34
    draw_flip_chart(p, QRectF(0, y + 10, page.width(), 90 + 44 * max(len(summary["variants"]), 1)), summary)
    writer.newPage()
    y = text(0, f"The {TOP_IMAGES} images whose output changed most", 13, True)
    side = page.width() / 4
    for k, r in enumerate(_largest(rows, TOP_IMAGES)):
        x0, y0 = (k % 4) * side, y + (k // 4) * (side + 130)
        thumb = QImage.fromData(thumbs.get(r["image_index"], b""))
        if not thumb.isNull():
            scaled = thumb.scaled(int(side - 16), int(side - 16), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            p.drawImage(QRectF(x0, y0, scaled.width(), scaled.height()), scaled)
        p.setFont(QFont("DejaVu Sans", 6.5))
        p.setPen(QColor("#111"))
        caption = (f"{r['image']}\n{r['variant']}: change {fmt(r['largest_change'])} ({r['largest_change_label']})\n"
                   f"top-1 {r['reference_top1_label']} → {r['top1_label']}")
        p.drawText(QRectF(x0, y0 + side - 10, side - 10, 125), wrap, caption)
    p.end()
    buf.close()
    return atomic_write_bytes(path, bytes(data))
