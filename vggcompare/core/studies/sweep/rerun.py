"""One row of a sweep, run again as two ordinary runs (reference and variant) for the compare view."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Generator

from vggcompare.core.analysis.result import RunResult
from vggcompare.core.errors import ConfigError
from vggcompare.core.input.images import load_image
from vggcompare.core.passes.engine import Progress, run_passes
from vggcompare.core.studies.sweep.plan import variants_from_settings
from vggcompare.core.storage.sweep_table import SweepTable


def rerun_row(
    out_dir: str, image: str, variant: str, cancel: Callable[[], bool] | None = None, explain: str | None = None,
    trust_model: bool = False,
) -> Generator[Progress, None, tuple[RunResult, RunResult, str, str]]:
    """Run the sweep's reference and ``variant`` on ``image`` (a path as rows.csv names it); return both and their names.

    The runs go through the engine one image at a time, so their passes are batched alone: their
    probabilities can differ from the sweep's row in the last bits, never in what the row says.
    ``explain`` ("gradcam" or "occlusion") gives both runs explanation maps, which the sweep itself has not.
    ``trust_model`` is the user's trust in a model form that is a program (a SavedModel folder), which the sweep's
    table never records.
    """
    with SweepTable(out_dir, create=False) as table:
        settings = table.settings
        listed = {path for _, path in table.images()}
    if not settings or image not in listed:
        raise ConfigError(f"the sweep in {out_dir} has no image {image!r}")
    variants = dict(variants_from_settings(settings))
    names = list(variants)
    if variant not in variants:
        raise ConfigError(f"the sweep in {out_dir} has no variant {variant!r}")
    path = str(Path(settings["source"]) / image)
    loaded = load_image(path)
    runs = []
    for name in (names[0], variant):
        config = variants[name].replace(image=path, trust_model=trust_model, **({"explain": explain} if explain else {}))
        result = yield from run_passes(config, loaded, cancel=cancel, allow_download=False)
        result.name = f"{image} · {name}"
        runs.append(result)
    return runs[0], runs[1], names[0], variant
