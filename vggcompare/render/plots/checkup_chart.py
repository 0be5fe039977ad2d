"""The checkup's ranked bar chart, drawn with QPainter for the window and for a file alike
(:mod:`vggcompare.render.figures.checkup_chart` writes it as PNG).

One bar per measured cause, largest probability change first, on a log scale (the changes span from float32
round-off to a different answer); a cause that changed the top-1 is drawn in another colour and names the two
classes; a cause that changed nothing at all says "0, bit for bit"; the causes that could not apply are listed
under the bars with their reasons. Every size follows the font, so the chart reads the same at any resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vggcompare.core.analysis.verdict import fmt

CHART_FONT = ("DejaVu Sans", 9)
BAR_COLOUR = "#0072B2"  # Okabe-Ito blue and vermillion: colour-blind safe, and apart in greyscale
FLIP_COLOUR = "#D55E00"
GRID_COLOUR, TEXT_COLOUR, MUTED_COLOUR = "#d4d4d4", "#111111", "#555555"
LOWEST_DECADE, HIGHEST_DECADE = -12, 0  # 1e-12 .. 1: a probability change is never above 1
TITLE = "Largest change of any class's probability against the reference (log scale)"


@dataclass(frozen=True)
class ChartRows:
    """The rows a chart shows: measured causes ranked (largest change first), and the causes that could not apply."""

    measured: tuple
    not_applicable: tuple

    @classmethod
    def of(cls, rows) -> ChartRows:
        """Split and rank a checkup's rows (CauseRow objects, in any order)."""
        measured = sorted((r for r in rows if r.status == "measured"), key=lambda r: -(r.largest_change or 0.0))
        return cls(tuple(measured), tuple(r for r in rows if r.status != "measured"))


@dataclass(frozen=True)
class _Layout:
    line: float  # the font's line height
    bars_top: float
    row_height: float
    axis_y: float
    na_top: float
    label_right: float
    x_left: float
    x_right: float
    decades: tuple[int, int]

    def x_of(self, value: float) -> float:
        lo, hi = self.decades
        share = (math.log10(max(value, 10.0 ** lo)) - lo) / (hi - lo)
        return self.x_left + (self.x_right - self.x_left) * share


def _decades(measured) -> tuple[int, int]:
    """The axis' decades: from a decade under the smallest non-zero change (at most 1e-12) up to 1."""
    changes = [r.largest_change for r in measured if r.largest_change]
    lo = math.floor(math.log10(min(changes))) - 1 if changes else -9
    return max(LOWEST_DECADE, min(lo, -3)), HIGHEST_DECADE


def _value_text(row) -> str:
    return fmt(row.largest_change or 0.0) + (f"   top-1: {row.against_top1} → {row.top1}" if row.top1_changed else "")


def _na_lines(chart: ChartRows) -> list[str]:
    return [f"{r.cause}: {r.reason}" for r in chart.not_applicable]


def _layout(rect, chart: ChartRows, metrics) -> _Layout:
    line = metrics.height()
    labels = [r.cause for r in chart.measured] or ["—"]
    label_w = min(rect.width() * 0.34, max(metrics.horizontalAdvance(t) for t in labels) + line)
    bars_top = rect.top() + line * 3.6  # title and legend above
    row_height = line * 1.7
    axis_y = bars_top + row_height * max(len(chart.measured), 1)
    value_w = max([metrics.horizontalAdvance(_value_text(r)) for r in chart.measured] + [metrics.horizontalAdvance("0.000123")])
    x_right = rect.right() - min(value_w + line, rect.width() * 0.4)
    return _Layout(line, bars_top, row_height, axis_y, axis_y + line * 2.6, rect.left() + label_w,
                   rect.left() + label_w + line * 0.5, x_right, _decades(chart.measured))


def _na_height(rect, chart: ChartRows, metrics) -> float:
    from PySide6.QtCore import QRectF, Qt

    if not chart.not_applicable:
        return 0.0
    width = rect.width() - metrics.height()
    flags = int(Qt.TextFlag.TextWordWrap)
    body = sum(metrics.boundingRect(QRectF(0, 0, width, 1e6), flags, text).height() + metrics.height() * 0.15
               for text in _na_lines(chart))
    return metrics.height() * 1.4 + body


def chart_height(rows, width: float) -> int:
    """The height in pixels the chart needs at ``width`` pixels (on a screen-resolution device)."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFont, QFontMetricsF

    chart = ChartRows.of(rows)
    metrics = QFontMetricsF(QFont(*CHART_FONT))
    rect = QRectF(0, 0, width, 1e6)
    layout = _layout(rect, chart, metrics)
    return int(math.ceil(layout.na_top + _na_height(rect, chart, metrics) + metrics.height() * 0.5))


def cause_at(rect, rows, y: float) -> str | None:
    """The measured cause whose bar row holds height ``y`` in a chart drawn in ``rect`` (None elsewhere)."""
    from PySide6.QtGui import QFont, QFontMetricsF

    chart = ChartRows.of(rows)
    layout = _layout(rect, chart, QFontMetricsF(QFont(*CHART_FONT)))
    if not chart.measured or not layout.bars_top <= y < layout.axis_y:
        return None
    return chart.measured[min(int((y - layout.bars_top) / layout.row_height), len(chart.measured) - 1)].cause


def draw_checkup_chart(painter, rect, rows, subtitle: str = "") -> None:
    """Draw the ranked chart of ``rows`` (CauseRow objects) in ``rect`` on a white background."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen

    chart = ChartRows.of(rows)
    painter.setFont(QFont(*CHART_FONT))
    metrics = QFontMetricsF(painter.font(), painter.device())
    lay = _layout(rect, chart, metrics)
    line = lay.line
    left, centre = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, Qt.AlignmentFlag.AlignCenter
    bold = QFont(*CHART_FONT)
    bold.setBold(True)
    painter.setFont(bold)
    painter.setPen(QColor(TEXT_COLOUR))
    painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), line * 1.2), left, TITLE)
    painter.setFont(QFont(*CHART_FONT))
    painter.setPen(QColor(MUTED_COLOUR))
    if subtitle:
        painter.drawText(QRectF(rect.left(), rect.top() + line * 1.2, rect.width(), line * 1.2), left,
                         metrics.elidedText(subtitle, Qt.TextElideMode.ElideMiddle, int(rect.width())))
    _legend(painter, QPointF(rect.left(), rect.top() + line * 2.4), line)
    # decades: grid lines and their labels under the bars
    lo, hi = lay.decades
    step = 1 if hi - lo <= 8 else 2
    for decade in range(lo, hi + 1):
        x = lay.x_of(10.0 ** decade)
        painter.setPen(QPen(QColor(GRID_COLOUR), max(1.0, line / 16)))
        painter.drawLine(QPointF(x, lay.bars_top), QPointF(x, lay.axis_y))
        if (hi - decade) % step == 0:
            painter.setPen(QColor(MUTED_COLOUR))
            painter.drawText(QRectF(x - line * 2, lay.axis_y + line * 0.2, line * 4, line), centre,
                             "1" if decade == 0 else f"1e{decade}")
    painter.setPen(QColor(MUTED_COLOUR))
    painter.drawText(QRectF(lay.x_left, lay.axis_y + line * 1.2, lay.x_right - lay.x_left, line), centre,
                     "largest change of any class's probability")
    for k, row in enumerate(chart.measured):
        _bar(painter, lay, k, row, rect, metrics)
    if not chart.measured:
        painter.setPen(QColor(MUTED_COLOUR))
        painter.drawText(QRectF(lay.x_left, lay.bars_top, lay.x_right - lay.x_left, lay.row_height), left,
                         "No cause measured yet.")
    _not_applicable(painter, rect, lay, chart, bold)


def _legend(painter, at, line: float) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFontMetricsF

    x = at.x()
    for colour, text in ((BAR_COLOUR, "top-1 unchanged"), (FLIP_COLOUR, "top-1 changed")):
        painter.fillRect(QRectF(x, at.y() + line * 0.2, line * 0.8, line * 0.8), QColor(colour))
        painter.setPen(QColor(TEXT_COLOUR))
        width = QFontMetricsF(painter.font(), painter.device()).horizontalAdvance(text)
        painter.drawText(QRectF(x + line, at.y(), width + line, line * 1.2), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        x += width + line * 2.5


def _bar(painter, lay: _Layout, k: int, row, rect, metrics) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor

    y = lay.bars_top + k * lay.row_height
    line = lay.line
    right_v = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    left_v = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    painter.setPen(QColor(TEXT_COLOUR))
    label_w = lay.label_right - rect.left() - line * 0.4
    painter.drawText(QRectF(rect.left(), y, label_w, lay.row_height), right_v,
                     metrics.elidedText(row.cause, Qt.TextElideMode.ElideRight, int(label_w)))
    value = row.largest_change or 0.0
    if value <= 0:
        painter.setPen(QColor(MUTED_COLOUR))
        painter.drawText(QRectF(lay.x_left + line * 0.3, y, rect.right() - lay.x_left, lay.row_height), left_v,
                         "0: bit for bit the same")
        return
    end = lay.x_of(value)
    painter.fillRect(QRectF(lay.x_left, y + lay.row_height * 0.18, max(end - lay.x_left, line * 0.15), lay.row_height * 0.64),
                     QColor(FLIP_COLOUR if row.top1_changed else BAR_COLOUR))
    text = _value_text(row)
    painter.setPen(QColor(FLIP_COLOUR if row.top1_changed else TEXT_COLOUR))
    space = rect.right() - end - line * 0.4
    painter.drawText(QRectF(end + line * 0.4, y, space, lay.row_height), left_v,
                     metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(space)))


def _not_applicable(painter, rect, lay: _Layout, chart: ChartRows, bold) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QFontMetricsF

    if not chart.not_applicable:
        return
    line = lay.line
    painter.setFont(bold)
    painter.setPen(QColor(TEXT_COLOUR))
    painter.drawText(QRectF(rect.left(), lay.na_top, rect.width(), line * 1.2), Qt.AlignmentFlag.AlignLeft,
                     f"Not applicable here ({len(chart.not_applicable)})")
    painter.setFont(QFont(*CHART_FONT))
    metrics = QFontMetricsF(painter.font(), painter.device())
    y = lay.na_top + line * 1.4
    width = rect.width() - line
    flags = int(Qt.TextFlag.TextWordWrap)
    for row, text in zip(chart.not_applicable, _na_lines(chart)):
        height = metrics.boundingRect(QRectF(0, 0, width, 1e6), flags, text).height()
        painter.setPen(QColor(TEXT_COLOUR))
        painter.drawText(QRectF(rect.left(), y, line, line), Qt.AlignmentFlag.AlignLeft, "•")
        painter.setPen(QColor(MUTED_COLOUR))
        painter.drawText(QRectF(rect.left() + line, y, width, height), flags, text)
        y += height + line * 0.15


def checkup_subtitle(checkup) -> str:
    """What the chart was measured on: the image's file name, the model, the reference's top-1 and the CPU."""
    env = checkup.environment or {}
    name = checkup.image.replace("\\", "/").rsplit("/", 1)[-1]
    model = str(checkup.model).split(" (", 1)[0].replace("\\", "/").rsplit("/", 1)[-1]  # its name, not its provenance
    parts = [name, model, f"reference top-1: {checkup.reference_top1}"]
    if env.get("cpu"):
        parts.append(f"{env['cpu']}{_cpu_kind(env.get('cpu_flags') or ())}")
    return " · ".join(parts)


def _cpu_kind(flags) -> str:
    """The CPU's vector units, which decide the numbers' last digits."""
    if "amx_tile" in flags or "amx" in flags:
        return " (AVX-512 + AMX)"
    if "avx512_bf16" in flags:
        return " (AVX-512 + AVX512_BF16)"
    if "avx512f" in flags:
        return " (AVX-512)"
    return " (AVX2 only)" if "avx2" in flags else ""
