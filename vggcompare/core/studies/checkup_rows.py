"""A checkup's rows as they are measured: one :class:`CauseRow` per cause, and the :class:`CheckupProgress` report
that carries each one out of the checkup as soon as it is measured (a few numbers and words: it crosses from the
engine process to the window as a small message)."""

from __future__ import annotations

from dataclasses import dataclass, field

MEASURED, NOT_APPLICABLE = "measured", "not applicable"
CHECKUP_STAGE = "checkup"  # a report's stage while the causes run (the model's loading is "loading")


@dataclass
class CauseRow:
    """One cause's line of the checkup.

    ``top5`` and ``against_top5`` are the cause's and its reference's five most probable classes, as
    ``[label, mean probability]`` pairs, so a row can be shown against its reference without the runs."""

    cause: str
    setting: str
    sentence: str
    status: str
    reason: str = ""
    largest_change: float | None = None
    top1_changed: bool | None = None
    top5_changed: bool | None = None
    top1: str = ""
    against: str = "reference"
    against_top1: str = ""
    seconds: float = 0.0
    top5: list = field(default_factory=list)
    against_top5: list = field(default_factory=list)

    @property
    def measured(self) -> bool:
        """True when the cause ran and its numbers are filled."""
        return self.status == MEASURED


@dataclass(frozen=True)
class CheckupProgress:
    """A checkup's progress report, read like the engine's ``Progress``: ``done`` of ``total`` causes.

    ``message`` is "cause k of n: name"; ``row`` is set on the report that ends a cause (measured or not)."""

    stage: str
    done: int
    total: int
    elapsed: float
    eta: float | None
    message: str
    row: CauseRow | None = None
    cause: str = ""


def cause_message(k: int, n: int, name: str, where: str = "") -> str:
    """'cause k of n: name' (with where it runs, for a cause in a new Python process)."""
    return f"cause {k} of {n}: {name}{f' ({where})' if where else ''}"


def row_line(row: CauseRow) -> str:
    """One line for a terminal: the cause and its numbers, or why it could not apply."""
    from vggcompare.core.analysis.verdict import fmt

    if not row.measured:
        return f"{row.cause}: not applicable ({row.reason})"
    top1 = f"top-1 changed: {row.against_top1} → {row.top1}" if row.top1_changed else "top-1 same"
    against = "" if row.against == "reference" else f" against {row.against}"
    return f"{row.cause}: largest change {fmt(row.largest_change)}{against}, {top1} ({row.seconds:.2f} s)"
