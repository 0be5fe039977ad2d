"""The result of :func:`vggcompare.run`: the core's RunResult, at home in a notebook (HTML, save, report, show)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from vggcompare.core.analysis.result import RunResult as CoreRunResult
from vggcompare.core.analysis.verdict import fmt


class RunResult(CoreRunResult):
    """One run: ``probabilities`` (N, C) float32, ``labels``, ``statistics``, ``verdict``, ``config``, ``notes``.

    Shown as HTML in a notebook; ``save(path)`` writes the JSON the CLI and the window read, ``report(path)``
    the one-page PDF, and ``show()`` opens the window on it.
    """

    @classmethod
    def from_core(cls, result: CoreRunResult, model: Any = None) -> "RunResult":
        """Wrap a core result (``model``: the in-memory model it ran, kept so ``save`` can write a copy of it)."""
        made = cls(**{f.name: getattr(result, f.name) for f in dataclasses.fields(CoreRunResult)})
        made._model = model
        return made

    @property
    def top1(self) -> str:
        """The most common top-1 label over the passes."""
        return self.labels[self.statistics.top1_mode]

    def top5(self) -> list[tuple[str, float, float]]:
        """The five classes with the highest mean probability: (label, mean, std)."""
        return [(c.label, c.mean, c.std) for c in self.statistics.top5]

    def _repr_html_(self) -> str:
        from vggcompare.api import html
        from vggcompare.api.spread_svg import spread_svg

        stats = self.statistics
        rows = [(k, c.label, f"{c.mean:.4f} ± {fmt(c.std)}", f"{fmt(c.min)} … {fmt(c.max)}")
                for k, c in enumerate(stats.top5, 1)]
        parts = [
            html.paragraph(f"{self.passes} pass{'es' if self.passes != 1 else ''} · {self.config.summary()}"),
            html.section("Verdict", html.paragraph(self.verdict)),
            html.section("Top-5 (mean ± std over the passes)", html.table(["#", "class", "probability", "range"], rows)),
            html.section("Spread over the passes", spread_svg(self.probabilities, self.labels, [c.index for c in stats.top5])),
        ]
        if self.notes:
            parts.append(html.section("Notes", "".join(html.paragraph(n) for n in self.notes)))
        return html.card(f"vggcompare run: top-1 {self.top1}", *parts)

    def __repr__(self) -> str:
        return f"<vggcompare RunResult: {self.passes} passes, top-1 {self.top1!r}; {self.verdict[:120]}>"

    def save(self, path: str | os.PathLike) -> Path:
        """Write the result JSON (atomically) that ``vggcompare`` and the window read; return its path.

        For a model held in memory, a ``.keras`` copy is written beside it (and a labels file when the names
        were given as a list), and the JSON names that copy and records its SHA-256, so that
        ``vggcompare reproduce`` can run it on another machine.
        """
        from vggcompare.api.files import save_run

        return save_run(self, path, getattr(self, "_model", None))

    def report(self, path: str | os.PathLike) -> Path:
        """Write the one-page PDF report (drawn by the window's report code in a new process, offscreen)."""
        from vggcompare.api.window import write_report

        return write_report(self, path)

    def show(self) -> None:
        """Open the window on this result, in its own process: the notebook keeps running."""
        from vggcompare.api.window import show

        show(self)
