"""Colours and fonts that follow the system palette, with one print-safe accent colour."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette

# Okabe-Ito blue on light backgrounds (dark enough to print, colour-blind safe); its sky blue on dark.
ACCENT_LIGHT = "#0072B2"
ACCENT_DARK = "#56B4E9"
# The five top-5 series: one accent, told apart by line style and marker, so they survive greyscale.
SERIES_STYLES = (
    (Qt.PenStyle.SolidLine, "o"),
    (Qt.PenStyle.DashLine, "s"),
    (Qt.PenStyle.DotLine, "t"),
    (Qt.PenStyle.DashDotLine, "d"),
    (Qt.PenStyle.DashDotDotLine, "x"),
)


@dataclass(frozen=True)
class Colors:
    """The colours every panel paints with, derived from the current palette."""

    dark: bool
    accent: QColor
    text: QColor
    muted: QColor  # secondary text and non-highlighted points
    base: QColor  # plot and panel background
    track: QColor  # empty part of a bar
    banner: QColor  # verdict banner background
    warning: QColor  # background of the weights prompt and problem notes

    def css(self, name: str) -> str:
        """Return a colour as '#rrggbb' for style sheets."""
        return getattr(self, name).name()


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the window background is dark (the system uses a dark theme)."""
    pal = palette or QGuiApplication.palette()
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hints is not None else Qt.ColorScheme.Unknown
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    return pal.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def colors(palette: QPalette | None = None) -> Colors:
    """Return the colours for the current (or given) palette."""
    pal = palette or QGuiApplication.palette()
    dark = is_dark(pal)
    text = pal.color(QPalette.ColorRole.WindowText)
    base = pal.color(QPalette.ColorRole.Base)
    muted = _mix(text, base, 0.45)
    return Colors(
        dark=dark,
        accent=QColor(ACCENT_DARK if dark else ACCENT_LIGHT),
        text=text,
        muted=muted,
        base=base,
        track=_mix(text, base, 0.88),
        banner=QColor("#16283d") if dark else QColor("#e6f0f8"),
        warning=QColor("#3d3216") if dark else QColor("#fff4d6"),
    )


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    """Blend colour a towards b by t (0 = a, 1 = b)."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    )


def scaled_font(base: QFont, factor: float, bold: bool = False) -> QFont:
    """Return a copy of ``base`` scaled by ``factor``, optionally bold."""
    font = QFont(base)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    else:
        font.setPixelSize(max(1, round(font.pixelSize() * factor)))
    font.setBold(bold)
    return font


def short_label(label: str, limit: int = 22) -> str:
    """The first name of a class label ('tabby, tabby cat' -> 'tabby'), shortened for plot labels."""
    first = label.split(",")[0].strip() or label
    return first if len(first) <= limit else first[: limit - 1] + "…"
