"""Number formatting for labels and axes: readable from 0.9 down to 1e-9."""

from __future__ import annotations

import math

from vggcompare.core.analysis.verdict import fmt

__all__ = ["fmt", "tick_labels", "nice_ceiling", "nice_step", "eta_text", "n_passes"]

_NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceiling(x: float) -> float:
    """The smallest 'round' number ≥ x (1, 1.2, 1.5, 2, 2.5, … × 10^k); at least 1 above 0.5."""
    if not math.isfinite(x) or x <= 0:
        return 1.0
    if x > 0.5:
        return 1.0
    power = 10 ** math.floor(math.log10(x))
    for step in _NICE:
        if step * power >= x * (1 - 1e-9):
            return float(f"{step * power:.6g}")
    return 10 * power


def n_passes(n: int) -> str:
    """'1 pass', '20 passes'."""
    return f"{n:,} pass" if n == 1 else f"{n:,} passes"


def nice_step(x: float) -> float:
    """A round step (1, 2 or 5 × 10^k) at least ``x``."""
    if not math.isfinite(x) or x <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(x))
    for step in (1, 2, 5, 10):
        if step * power >= x:
            return float(step * power)
    return 10.0 * power


def tick_labels(values: list[float], spacing: float) -> list[str]:
    """Tick labels in one style, with just enough digits to tell ticks ``spacing`` apart.

    Fixed decimals (0.2, 0.0015) while the largest tick is at least 0.001, else powers of ten (2.5e-7).
    """
    if not values:
        return []
    if spacing <= 0 or not math.isfinite(spacing):
        return [f"{v:.3g}" for v in values]
    largest = max(abs(v) for v in values)
    if largest == 0:
        return ["0" for _ in values]
    if largest < 1e-3 or largest >= 1e5:
        digits = max(1, min(6, int(math.ceil(math.log10(largest / spacing) - 1e-9)) + 1))
        return [_sci(v, digits, spacing) for v in values]
    decimals = max(0, int(math.ceil(-math.log10(spacing) - 1e-9)))
    return [f"{v:.{decimals}f}" if abs(v) >= spacing * 1e-6 else "0" for v in values]


def _sci(value: float, digits: int, spacing: float) -> str:
    if abs(value) < spacing * 1e-6:
        return "0"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def power_label(log_value: float) -> str:
    value = 10 ** log_value
    exponent = math.floor(log_value + 1e-9)
    mantissa = value / 10**exponent
    if abs(mantissa - 1) < 1e-6:
        return f"1e{exponent}" if not -3 <= exponent <= 0 else f"{value:g}"
    return f"{mantissa:.0f}e{exponent}" if not -3 <= exponent <= 0 else f"{value:.2g}"


def eta_text(seconds: float | None) -> str:
    """'about 12 s left', 'about 3 min left', or '' when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return ""
    if seconds < 1:
        return "less than a second left"
    if seconds < 90:
        return f"about {seconds:.0f} s left"
    if seconds < 90 * 60:
        return f"about {seconds / 60:.0f} min left"
    return f"about {seconds / 3600:.1f} h left"
