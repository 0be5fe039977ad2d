"""A sweep's flip-rate chart: each variant's top-1 flip rate as a bar, with its 95% Wilson interval as a whisker.

Drawn with any painter: on the window's sweep view, on a report page, or into a PNG.
"""

from __future__ import annotations

from vggcompare.core.analysis.sweep_text import percent
from vggcompare.render.theme import ACCENT_LIGHT

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
        painter.fillRect(bar, QColor(ACCENT_LIGHT))
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
