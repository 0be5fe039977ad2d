"""The result of :func:`vggcompare.checkup`: the core's Checkup, at home in a notebook (HTML, save)."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from vggcompare.core.studies.checkup import MEASURED
from vggcompare.core.studies.checkup import Checkup as CoreCheckup


class Checkup(CoreCheckup):
    """Every cause against your pipeline on one image, ranked by how far it moved the probabilities.

    ``rows`` are :class:`CauseRow` (cause, setting, status, reason, largest_change, top1_changed, …),
    measured causes first; ``headline()`` says it in one sentence; ``runs`` holds each cause's RunResult.
    """

    @classmethod
    def from_core(cls, checkup: CoreCheckup) -> "Checkup":
        """Wrap the core's Checkup."""
        return cls(**{f.name: getattr(checkup, f.name) for f in dataclasses.fields(CoreCheckup)})

    def row(self, cause: str) -> CauseRow:
        """The row of one cause, by its name (KeyError if there is none)."""
        for row in self.rows:
            if row.cause == cause:
                return row
        raise KeyError(cause)

    def _repr_html_(self) -> str:
        from vggcompare.api import html
        from vggcompare.api.spread_svg import bars_svg

        columns, rows = self.table(sentences=False)
        measured = [cells for cells, r in zip(rows, self.rows) if r.status == MEASURED]
        missing = [(r.cause, r.reason) for r in self.rows if r.status != MEASURED]
        parts = [
            html.paragraph(f"Model {self.model}; reference top-1: {self.reference_top1}; "
                           f"{self.passes_run} passes in {self.seconds:.1f} s."),
            html.section("Verdict", html.paragraph(self.headline())),
            html.section("Causes ranked by the largest probability change", html.table(columns, measured)),
            html.section("Largest change per cause (log scale)",
                         bars_svg([(r.cause, r.largest_change) for r in self.rows if r.status == MEASURED and r.largest_change])),
        ]
        if missing:
            parts.append(html.section("Not applicable", html.table(["cause", "why"], missing)))
        parts.append(html.section("What your code would do to hit each cause",
                                  html.table(["cause", "what your code would do"], [(r.cause, r.sentence) for r in self.rows])))
        name = self.image.replace("\\", "/").rsplit("/", 1)[-1]
        return html.card(f"vggcompare checkup of {name}", *parts)

    def __repr__(self) -> str:
        return f"<vggcompare Checkup: {self.headline()}>"

    def report(self, path: str | os.PathLike) -> Path:
        """Write the checkup's one-page PDF (drawn offscreen in a new process, from checkup.json)."""
        from vggcompare.api.window import write_checkup_report

        return write_checkup_report(self, path)

    def save(self, path: str | os.PathLike) -> Path:
        """Write checkup.json (atomically), as ``vggcompare checkup`` does; return its path."""
        from vggcompare.core.atomic import atomic_write_text

        target = Path(path)
        if target.suffix.lower() != ".json":
            from vggcompare.core.errors import ResultFileError

            raise ResultFileError(f"{target.name}: a checkup is saved as .json")
        atomic_write_text(target, json.dumps(self.to_dict(), indent=1, ensure_ascii=False))
        return target
