"""Presenter mode's type sizes, and why they are large enough for a room.

A 1080p projector makes an image about 2 m wide in a meeting room: 1920 px over 2 m, about 1 mm a pixel.
At 96 logical dpi a 28 pt font is 37 px; its capitals are about 26 px, so about 27 mm tall on the wall.
Seen from 5 m that is 19 arcminutes, nearly 4 times the 5 arcminutes of the smallest letter a 20/20
eye reads (Snellen): readable at 5 m without effort. The verdict (36 pt) is about 24 arcminutes.
"""

from __future__ import annotations

from PySide6.QtGui import QFont

BODY_PT = 28  # every text in presenter mode: labels, numbers, questions, buttons
VERDICT_PT = 36  # the one-sentence verdict, the question and the answer's headline


def font(base: QFont, points: float, bold: bool = False) -> QFont:
    """``base`` at ``points`` points (never smaller than BODY_PT), optionally bold."""
    out = QFont(base)
    out.setPointSizeF(max(float(points), float(BODY_PT)))
    out.setBold(bold)
    return out
