"""Value checks for the configurations: each refuses one bad value in one sentence that names the setting.

Kept apart from ``config.py`` because it is one idea of its own, the refusal of a single value (a whole
number in a range, a number in a range, one of a list of choices), which any configuration can use.
"""

from __future__ import annotations

from typing import Any

from vggcompare.core.errors import ConfigError


def check_int(what: str, value: Any, low: int, high: int) -> None:
    """Refuse anything but a whole number in [low, high], in one sentence naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{what} must be a whole number from {low} to {high}, not {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{what} must be from {low} to {high}, not {value}")


def check_range(what: str, value: Any, low: float, high: float) -> None:
    """Refuse anything but a number in [low, high], in one sentence naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ConfigError(f"{what} must be a number from {low:g} to {high:g}, not {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{what} must be from {low:g} to {high:g}, not {value:g}")


def check_choice(what: str, value: Any, choices: tuple[str, ...]) -> None:
    """Refuse a value that is not one of ``choices``, in one sentence naming ``what``."""
    if value not in choices:
        raise ConfigError(f"{what} must be one of {', '.join(choices)}, not {value!r}")
