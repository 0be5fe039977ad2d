"""Two runs, or two pipelines, compared: the numbers first (bit identity, largest difference, top-1, top-5), then the
verdict; for two pipelines also the pixel difference as a picture and which known pipeline each array equals."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vggcompare.core.analysis.compare import Comparison as Numbers
from vggcompare.core.analysis.verdict import fmt


@dataclass
class Comparison:
    """How B differs from A: ``numbers`` (the core's comparison), ``verdict``, and for pipelines the pixels and matches."""

    a_name: str
    b_name: str
    labels: list[str]
    numbers: Numbers
    verdict: str
    environment_differences: tuple[str, ...] = ()
    pixel_difference: np.ndarray | None = None  # (H, W): the largest difference over the channels, per pixel
    pixel_units: str = ""  # "pixel levels (0..255)" or "model input units"
    matches: dict[str, Any] = field(default_factory=dict)  # name -> core.input.pipeline_match.PipelineMatch
    runs: tuple[Any, Any] | None = field(default=None, repr=False)  # the two RunResults, when two runs were compared

    @property
    def top1_changed(self) -> bool:
        """Whether the top-1 class differs."""
        return not self.numbers.same_top1

    @property
    def top5_changed(self) -> bool:
        """Whether the top-5 lists differ (as sets)."""
        return self.numbers.top5_overlap < 5

    @property
    def largest_difference(self) -> float:
        """The largest difference of any class's probability."""
        return self.numbers.max_abs_difference

    def match_sentences(self) -> list[str]:
        """One sentence per array: the known pipeline it equals, or the nearest and by how much."""
        return [m.sentence(f"your {name} array") for name, m in self.matches.items()]

    def pixel_png(self) -> bytes | None:
        """The pixel difference as a PNG: black where equal, brighter where the arrays differ more."""
        if self.pixel_difference is None:
            return None
        from vggcompare.core.input.images import encode_png

        d = np.asarray(self.pixel_difference, dtype=np.float64)
        top = float(d.max())
        grey = np.zeros(d.shape, np.uint8) if top == 0 else np.rint(np.sqrt(d / top) * 255).astype(np.uint8)
        rgb = np.stack([grey, (grey * 0.55).astype(np.uint8), np.zeros_like(grey)], axis=-1)
        return encode_png(rgb)

    def _repr_html_(self) -> str:
        from vggcompare.api import html

        n = self.numbers
        labels = self.labels
        rows = [("bit-identical", "yes" if n.bit_identical else "no"),
                ("largest probability difference", f"{fmt(n.max_abs_difference)} ({labels[n.max_difference_class]})"),
                ("top-1", f"same: {labels[n.top1_a]}" if n.same_top1 else f"changed: {labels[n.top1_a]} → {labels[n.top1_b]}"),
                ("top-5", "same classes" if n.top5_overlap == 5 else f"changed: {n.top5_overlap} of 5 shared")]
        parts = [html.section("Verdict", html.paragraph(self.verdict)),
                 html.section(f"{self.a_name} against {self.b_name}", html.table(["", ""], rows))]
        if self.matches:
            parts.append(html.section("Which known pipeline made each array", *[html.paragraph(s) for s in self.match_sentences()]))
        png = self.pixel_png()
        if png is not None:
            top = float(np.max(self.pixel_difference))
            parts.append(html.section(
                f"Pixel difference (largest {top:.3g} {self.pixel_units}; black: equal)",
                f'<div><img alt="pixel difference" style="image-rendering:pixelated;width:224px" '
                f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}"/></div>'))
        title = "same top-1" if n.same_top1 else "top-1 changed"
        return html.card(f"vggcompare comparison: {self.a_name} vs {self.b_name}: {title}", *parts)

    def report(self, path: str | os.PathLike) -> "os.PathLike":
        """Write the comparison's PDF report of two runs (drawn in a new process, offscreen)."""
        from vggcompare.api.window import write_report
        from vggcompare.core.errors import VggCompareError

        if self.runs is None:
            raise VggCompareError("a report compares two runs; this comparison of two pipelines has none (save its HTML instead)")
        return write_report(self.runs[0], path, against=self.runs[1])

    def __repr__(self) -> str:
        return f"<vggcompare Comparison {self.a_name} vs {self.b_name}: {self.verdict[:160]}>"


def compare(a: Any, b: Any, *, a_name: str = "A", b_name: str = "B") -> Comparison:
    """Compare two runs (RunResults, or paths of result files) class by class.

    Examples
    --------
    >>> first = vc.run(model, "cat.png", passes=8)
    >>> second = vc.run(model, "cat.png", passes=8, precision="bfloat16")
    >>> vc.compare(first, second).largest_difference  # doctest: +SKIP
    """
    from vggcompare.api.loading import load
    from vggcompare.core.analysis.compare import compare_results
    from vggcompare.core.errors import ConfigError

    a = load(a) if isinstance(a, (str, os.PathLike)) else a
    b = load(b) if isinstance(b, (str, os.PathLike)) else b
    try:
        found = compare_results(a, b, a_name, b_name)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return Comparison(a_name, b_name, list(a.labels), found.numbers, found.verdict, found.environment_differences, runs=(a, b))
