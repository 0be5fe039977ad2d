"""One checkup row's two runs for the compare view: what the cause was measured against, and the cause.

The window's checkup runs in the engine process and sends only its rows (small messages); its runs stay there,
kept by :func:`kept_runs` for the latest checkup only, so a row opens on the checkup's own runs, even after a
cancel. A row whose runs are not kept (another engine, a newer checkup) is run again by :func:`run_pair`.
A checkup that compared layers keeps each row's layer table here too (:func:`keep_layer_table`; a row crosses the
pipe with its ``enters_at`` only), and a row then opens with that comparison instead of running its pair again
layer by layer.
"""

from __future__ import annotations

from typing import Any, Callable, Generator

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.input.images import LoadedImage
from vggcompare.core.studies.checkup_causes import causes_for, reference_config


_kept: dict[str, dict] = {}  # the latest checkup's runs in this process, under its token
_kept_layers: dict[str, dict] = {}  # its rows' layer tables: {cause: (what it was measured against, table)}


def kept_runs(token: str) -> dict:
    """A new dict to keep checkup ``token``'s runs in this process; the previous checkup's (and layers) are dropped."""
    _kept.clear()
    _kept_layers.clear()
    _kept[token] = {}
    _kept_layers[token] = {}
    return _kept[token]


def keep_layer_table(token: str, row) -> None:
    """Keep ``row``'s layer table (a CauseRow's ``layers``) here under checkup ``token`` and take it off the row.

    The row keeps ``enters_at``, the few words a table cell shows: the table itself (about 14 kB pickled for
    EfficientNet-Lite0's 143 layers, against 0.6 kB for the rest of the row) stays in this process."""
    if row is not None and row.layers is not None:
        _kept_layers.setdefault(token, {})[row.cause] = (row.against, row.layers)
        row.layers = None


def _kept_comparison(token: str, cause: str, against: str):
    """The layer comparison kept for ``cause`` of checkup ``token``, measured against ``against``; else None."""
    from vggcompare.core.analysis.layers import LayerComparison

    kept = _kept_layers.get(token, {}).get(cause) if token else None
    if kept is None or kept[0] != against:
        return None
    return LayerComparison.from_dict(kept[1])


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


def run_pair(config: ExperimentConfig, image: LoadedImage, cause: str, token: str = "",
             cancel: Callable[[], bool] | None = None, allow_download: bool = True, layers: bool = False,
             ) -> Generator[Any, None, tuple]:
    """``cause``'s reference (or the cause it is measured against) and ``cause`` itself: (against, cause) RunResults.

    The runs kept for checkup ``token`` when it has both; else both are run again as the checkup ran them. A
    deterministic cause repeats the checkup's runs bit for bit; a random one (unseeded augmentation, dropout, new
    weights) draws anew, as a second checkup would. A cause that needs a new Python process runs in one.
    With ``layers`` a third item follows: the two configurations compared layer by layer (a LayerComparison from
    core.studies.layers.compare_by_layer, one instrumented pass each; the checkup's own comparison of these runs
    when it kept one), or the sentence saying why they could not be."""
    pair = yield from _pair(config, image, cause, token, cancel, allow_download)
    if not layers:
        return pair
    from vggcompare.core.errors import VggCompareError
    from vggcompare.core.studies.layers import compare_by_layer

    configs = pair_configs(config, image, cause)
    kept = _kept_comparison(token, cause, next(iter(configs))) if _kept_pair(token, configs) else None
    if kept is not None:  # the checkup compared these very runs layer by layer
        return (*pair, kept)
    against, mine = configs.values()
    try:
        study = yield from compare_by_layer(against, mine, image, cancel=cancel, allow_download=allow_download)
    except (VggCompareError, ValueError) as exc:
        return (*pair, f"The layers could not be compared: {str(exc).rstrip('.')}.")
    return (*pair, study.comparison)


def _kept_pair(token: str, configs: dict) -> bool:
    """True when checkup ``token`` kept both runs of the pair."""
    kept = _kept.get(token, {}) if token else {}
    return all(key in kept for key in configs)


def _pair(config, image, cause, token, cancel, allow_download):
    from vggcompare.core.passes.engine import run_passes
    from vggcompare.core.process.fresh import run_in_fresh_process

    configs = pair_configs(config, image, cause)
    if _kept_pair(token, configs):
        return tuple(_kept[token][key] for key in configs)
    fresh = {c.key for c in causes_for(reference_config(config), image) if c.fresh_process}
    runs = []
    for key, cfg in configs.items():
        if key in fresh:
            result = run_in_fresh_process(cfg, image.source, cancel=cancel)
        else:
            result = yield from run_passes(cfg, image, cancel=cancel, allow_download=allow_download, split_training=False)
        result.name = f"checkup: {key}"
        runs.append(result)
    return tuple(runs)
