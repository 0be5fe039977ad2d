"""A checkup's rows and outcome: one :class:`CauseRow` per cause, the :class:`CheckupProgress` report that carries
each one out of the checkup as soon as it is measured (a few numbers and words: it crosses from the engine process
to the window as a small message), and the :class:`Checkup` they end in.

This module imports nothing heavy, so the window reads these objects without loading what runs the checkup
(:mod:`vggcompare.core.studies.checkup`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

MEASURED, NOT_APPLICABLE = "measured", "not applicable"
CHECKUP_FORMAT = "vggcompare-checkup-1"  # checkup.json's "format" (the file's fields: core.studies.checkup)
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
    export_seconds: float | None = None  # a runtime's export: the conversion's time (or the cached export's check)
    top5: list = field(default_factory=list)
    against_top5: list = field(default_factory=list)
    note: str = ""  # what the cause's run found worth saying (earlier training-mode calls: the BatchNorm layers moved)
    enters_at: str = ""  # where the difference enters the network, in short (layer comparison; "" without one)
    layers: dict[str, Any] | None = None  # the layer comparison's table (core.analysis.layers.LayerComparison.to_dict)

    @property
    def measured(self) -> bool:
        """True when the cause ran and its numbers are filled."""
        return self.status == MEASURED

    def layer_comparison(self):
        """The row's :class:`~vggcompare.core.analysis.layers.LayerComparison`, or None when none was made."""
        from vggcompare.core.analysis.layers import LayerComparison

        return None if self.layers is None else LayerComparison.from_dict(self.layers)


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


@dataclass
class Checkup:
    """A checkup's outcome: the rows ranked (measured first, largest change first), and what it ran on."""

    image: str
    model: str
    reference: dict[str, Any]
    reference_top1: str
    rows: list[CauseRow] = field(default_factory=list)
    passes_run: int = 0
    seconds: float = 0.0
    environment: dict[str, Any] = field(default_factory=dict)
    runs: dict[str, Any] = field(default_factory=dict, repr=False)  # the RunResults, by cause (not in checkup.json)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what checkup.json holds). A checkup that compared layers gives each measured row
        ``enters_at`` and ``layers`` (per layer: name, kind, elements, max_abs, relative, cosine, bound, identical,
        above; with first_difference, enters_at, growth, sentence and the bound's formula)."""
        data = asdict(self)
        data.pop("runs")
        data["format"] = CHECKUP_FORMAT
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkup:
        """A checkup read back from checkup.json (without its runs); ResultFileError for another file or a malformed one.

        Keys this version does not know (a newer file's) are left out."""
        from vggcompare.core.errors import ResultFileError

        if not isinstance(data, dict) or data.get("format") != CHECKUP_FORMAT:
            raise ResultFileError(f"this is not a vggcompare checkup file (its format is not {CHECKUP_FORMAT})")
        names = {f.name for f in fields(CauseRow)}
        keep = {f.name for f in fields(cls)} - {"rows", "runs"}
        try:
            rows = [CauseRow(**{k: v for k, v in row.items() if k in names}) for row in data["rows"]]
            return cls(rows=rows, **{k: v for k, v in data.items() if k in keep})
        except (KeyError, TypeError, AttributeError) as exc:
            raise ResultFileError(f"the checkup file is malformed ({type(exc).__name__}: {exc})") from None

    def headline(self) -> str:
        """One sentence from the numbers: how many causes moved the output, and which changed the answer."""
        measured = [r for r in self.rows if r.status == MEASURED]
        flips = [r.cause for r in measured if r.top1_changed]
        moved = [r for r in measured if r.largest_change]
        text = f"{len(moved)} of {len(measured)} causes measured moved the output"
        if measured:
            from vggcompare.core.analysis.verdict import fmt

            text += f"; the largest change is from {measured[0].cause} ({fmt(measured[0].largest_change)})"
        text += f"; {len(flips)} changed the top-1 ({', '.join(flips)})." if flips else "; none changed the top-1."
        return text


    def table(self, sentences: bool = True) -> tuple[list[str], list[list[str]]]:
        """The ranked table: columns and rows of text (measured causes first, largest change first)."""
        from vggcompare.core.analysis.verdict import fmt

        columns = ["#", "cause", "setting", "largest probability change", "top-1", "top-5"]
        rows = []
        for k, r in enumerate(self.rows, 1):
            if r.status == MEASURED:
                top1 = f"changed: {r.against_top1} → {r.top1}" if r.top1_changed else "same"
                cells = [str(k), r.cause, r.setting, fmt(r.largest_change), top1, "changed" if r.top5_changed else "same"]
            else:
                cells = [str(k), r.cause, r.setting, "not applicable", r.reason, ""]
            rows.append(cells + ([r.sentence] if sentences else []))
        return columns + (["what your code would do"] if sentences else []), rows

    def as_outcome(self):
        """The checkup as a demonstration's outcome (the report's one page): table, headline, bars."""
        from vggcompare.core.studies.presets.base import PresetOutcome

        columns, rows = self.table(sentences=False)
        measured = [r for r in self.rows if r.status == MEASURED]
        outcome = PresetOutcome("checkup", "Checkup: every cause against your pipeline",
                                f"Each cause at its most common setting, one pass, against the reference "
                                f"({self.reference.get('loader', 'load-img')} loader, {self.reference.get('call', 'compiled')} call) "
                                f"on {self.image.replace(chr(92), '/').rsplit('/', 1)[-1]}; reference top-1: {self.reference_top1}.",
                                model=self.model, runs=dict(self.runs), columns=columns,
                                rows=[row for row, r in zip(rows, self.rows) if r.status == MEASURED], headline=self.headline())
        outcome.notes = [f"Not applicable: {'; '.join(f'{r.cause} ({r.reason})' for r in self.rows if r.status != MEASURED)}."]
        outcome.bars = [(r.cause, float(r.largest_change)) for r in measured]
        outcome.bars_label = "largest change of any class's probability against the reference"
        return outcome


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
