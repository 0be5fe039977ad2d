"""``vggcompare.sweep``: a preset's variants on every image of a folder, against its reference, locally or on Ray."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence


@dataclass
class Sweep:
    """A sweep's folder and its summary (as summary.json holds it): per variant, flip rate and changes."""

    folder: str
    summary: dict
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @classmethod
    def from_folder(cls, folder: str | os.PathLike) -> "Sweep":
        """A sweep read back from its folder (its summary.json)."""
        from vggcompare.api.files import read_json
        from vggcompare.core.errors import ResultFileError

        summary = read_json(Path(folder) / "summary.json")
        if not isinstance(summary, dict) or "variants" not in summary:
            raise ResultFileError(f"{folder} holds no sweep summary")
        return cls(str(folder), summary)

    @property
    def headline(self) -> str:
        """The sweep's one-sentence finding."""
        return str(self.summary.get("headline", ""))

    def text(self) -> str:
        """The table as the CLI prints it."""
        from vggcompare.core.analysis.sweep_text import summary_text

        return summary_text(self.summary)

    def _repr_html_(self) -> str:
        from vggcompare.api import html
        from vggcompare.core.analysis.sweep_text import COLUMNS, table_rows

        s = self.summary
        parts = [html.paragraph(f"Images: {s.get('source')} ({s.get('images_finished')} of {s.get('images_listed')} done, "
                                f"{s.get('images_with_errors')} unreadable). Model: {s.get('model')}. Reference: {s.get('reference')}."),
                 html.section("Verdict", html.paragraph(self.headline)),
                 html.section("Variants against the reference", html.table(COLUMNS, table_rows(s)))]
        if self.notes:
            parts.append(html.section("Notes", *[html.paragraph(n) for n in self.notes]))
        return html.card(f"vggcompare sweep in {self.folder}", *parts)

    def __repr__(self) -> str:
        return f"<vggcompare Sweep in {self.folder}: {self.headline}>"


def sweep(
    model: Any,
    folder: str | os.PathLike,
    *,
    preset: str = "pitfalls",
    engine: str = "local",
    out: str | os.PathLike | None = None,
    labels: str | os.PathLike | Sequence[str] | None = None,
    progress: bool = True,
    **settings: Any,
) -> Sweep:
    """Run a preset's variants on every image of ``folder`` and summarise how often each changed the top-1.

    Parameters
    ----------
    model
        As for :func:`vggcompare.run`; a model in memory is saved to a .keras copy for the Ray engine.
    folder : path
        A folder of images (searched recursively) or a text file listing images.
    preset : str
        The demonstration whose variants to compare (``vggcompare presets`` lists them).
    engine : {"local", "ray"}
        Run in this process, or on Ray.
    out : path, optional
        The sweep's folder (sweep.sqlite, rows.csv, summary.json); a temporary folder when not given.
        Running again into the same folder resumes.

    Examples
    --------
    >>> found = vc.sweep(model, "photos/", preset="pitfalls")
    >>> found.headline  # doctest: +SKIP
    """
    import re
    import tempfile

    from vggcompare.api.arguments import model_argument, scratch_folder
    from vggcompare.api.caller_state import caller_state
    from vggcompare.api.files import save_model_copy
    from vggcompare.api.progress import drive
    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.errors import ConfigError
    from vggcompare.core.studies.sweep.run import run_sweep

    chosen = model_argument(model, labels)
    name = chosen.name
    if chosen.held is not None and engine == "ray":  # the actors load a copy, named as the model is (it names the variants)
        own = re.sub(r"[^\w.-]+", "_", str(getattr(chosen.held, "name", "") or "model"))
        name = str(save_model_copy(chosen.held, os.path.join(scratch_folder(), f"model-{id(chosen.held):x}", f"{own}.keras"))[0])
    target = str(out) if out is not None else tempfile.mkdtemp(prefix="sweep-", dir=scratch_folder())
    try:
        config = ExperimentConfig(model=name, labels=chosen.labels, **settings).validate()
    except TypeError as exc:
        raise ConfigError(f"a setting has the wrong type ({exc})") from None
    with caller_state(chosen.held):
        outcome = drive(run_sweep(os.fspath(folder), target, config, preset=preset, engine=engine), "vggcompare sweep", progress)
    return Sweep(outcome.folder, outcome.summary, list(outcome.notes), outcome.seconds)
