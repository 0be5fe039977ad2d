"""The spread plot as inline SVG, written as text (no Qt, no plotting library): one row per top-5 class, a dot per
pass at its probability, and the mean ± std as a bar, on a shared axis."""

from __future__ import annotations

from html import escape

import numpy as np

WIDTH, ROW, LEFT, RIGHT, TOP = 560, 26, 150, 20, 10
MAX_DOTS = 400  # passes drawn per class; more would only make the picture heavier


def spread_svg(probabilities: np.ndarray, labels: list[str], classes: list[int]) -> str:
    """An SVG of how each class's probability spreads over the passes (``classes``: indices, top first)."""
    probs = np.asarray(probabilities, dtype=np.float64)
    values = probs[:, classes] if classes else np.zeros((probs.shape[0], 0))
    lo, hi = float(values.min(initial=0.0)), float(values.max(initial=1.0))
    if hi - lo < 1e-12:
        lo, hi = max(0.0, lo - 0.01), hi + 0.01
    pad = (hi - lo) * 0.05
    lo, hi = lo - pad, hi + pad
    span = WIDTH - LEFT - RIGHT
    height = TOP * 2 + ROW * len(classes) + 22

    def x(v: float) -> float:
        return LEFT + (v - lo) / (hi - lo) * span

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
             'font-family="sans-serif" font-size="11" role="img" aria-label="spread of the top-5 probabilities over the passes">']
    step = max(1, probs.shape[0] // MAX_DOTS)
    for row, cls in enumerate(classes):
        y = TOP + row * ROW + ROW / 2
        column = values[:, row]
        mean, std = float(column.mean()), float(column.std())
        name = labels[cls] if len(labels[cls]) <= 22 else labels[cls][:21] + "…"
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(name)}</text>')
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        for v in column[::step]:
            parts.append(f'<circle cx="{x(float(v)):.2f}" cy="{y:.1f}" r="2.5" fill="#1f77b4" fill-opacity="0.35"/>')
        parts.append(f'<rect x="{x(mean - std):.2f}" y="{y - 6:.1f}" width="{max(x(mean + std) - x(mean - std), 1.0):.2f}" '
                     'height="12" fill="none" stroke="#d62728"/>')
        parts.append(f'<line x1="{x(mean):.2f}" x2="{x(mean):.2f}" y1="{y - 8:.1f}" y2="{y + 8:.1f}" stroke="#d62728" stroke-width="2"/>')
    axis = TOP + ROW * len(classes) + 4
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{axis}" y2="{axis}" stroke="#444"/>')
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        parts.append(f'<text x="{x(v):.1f}" y="{axis + 14}" text-anchor="middle" fill="#444">{v:.3g}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(rows: list[tuple[str, float]]) -> str:
    """Horizontal bars (a checkup's largest change per cause), on a log scale from 1e-9 to the largest."""
    rows = [(name, value) for name, value in rows if value is not None]
    height = TOP * 2 + 20 * len(rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif" '
             'font-size="11" role="img" aria-label="largest probability change per cause">']
    top = max([v for _, v in rows] + [1e-9])
    floor = 1e-9
    span = WIDTH - LEFT - 70

    def length(v: float) -> float:
        if v <= floor:
            return 0.0
        return span * (np.log10(v) - np.log10(floor)) / max(np.log10(top) - np.log10(floor), 1e-9)

    for k, (name, value) in enumerate(rows):
        y = TOP + 20 * k
        shown = name if len(name) <= 24 else name[:23] + "…"
        parts.append(f'<text x="{LEFT - 6}" y="{y + 13}" text-anchor="end">{escape(shown)}</text>')
        parts.append(f'<rect x="{LEFT}" y="{y + 3}" width="{length(value):.1f}" height="13" fill="#1f77b4"/>')
        parts.append(f'<text x="{LEFT + length(value) + 4:.1f}" y="{y + 13}">{value:.2g}</text>')
    parts.append("</svg>")
    return "".join(parts)
