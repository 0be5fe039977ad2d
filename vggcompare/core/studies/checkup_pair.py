"""One checkup row's two runs made again: what the cause was measured against, and the cause, for the compare view
(a row of a checkup that was cancelled, or whose runs are not at hand)."""

from __future__ import annotations

from typing import Any, Callable, Generator

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.input.images import LoadedImage
from vggcompare.core.studies.checkup_causes import causes_for, reference_config


def pair_configs(config: ExperimentConfig, image: LoadedImage, cause: str) -> dict[str, ExperimentConfig]:
    """The two configurations of ``cause``'s row, as the checkup ran them: {what it is measured against, the cause}.

    A layer-by-layer comparison of a row takes these same two configurations."""
    ref_cfg = reference_config(config.replace(image=image.source if not config.image else config.image))
    causes = {c.key: c for c in causes_for(ref_cfg, image)}
    found = causes.get(cause)
    if found is None or found.not_applicable:
        raise ConfigError(f"'{cause}' is not a cause the checkup can run on this image")
    against = found.against if found.against in causes else "reference"
    return {key: ref_cfg if key == "reference" else ref_cfg.replace(**causes[key].changes).validate() for key in (against, cause)}


def run_pair(config: ExperimentConfig, image: LoadedImage, cause: str, cancel: Callable[[], bool] | None = None,
             allow_download: bool = True) -> Generator[Any, None, tuple]:
    """Run ``cause``'s reference (or the cause it is measured against) and ``cause`` itself, as the checkup ran them.

    Returns (against, cause) RunResults, named after what they are. A deterministic cause repeats the checkup's runs
    bit for bit; a random one (unseeded augmentation, dropout, new weights) draws anew, as a second checkup would.
    A cause that needs a new Python process runs in one."""
    from vggcompare.core.passes.engine import run_passes
    from vggcompare.core.process.fresh import run_in_fresh_process

    fresh = {c.key for c in causes_for(reference_config(config), image) if c.fresh_process}
    runs = []
    for key, cfg in pair_configs(config, image, cause).items():
        if key in fresh:
            result = run_in_fresh_process(cfg, image.source, cancel=cancel)
        else:
            result = yield from run_passes(cfg, image, cancel=cancel, allow_download=allow_download, split_training=False)
        result.name = f"checkup: {key}"
        runs.append(result)
    return tuple(runs)
