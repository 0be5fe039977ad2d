"""Two configurations, or two result files, compared layer by layer: where their difference enters the network.

:func:`compare_by_layer` runs each configuration once with the instrumented pass (core.passes.layer_pass) and
compares the two traces (core.analysis.layers). Both run in this process when they share the settings TensorFlow
fixes at start (kernel library, thread count, Keras backend) and this process can take them; otherwise each runs
in a new Python process in its own setting (core.process.fresh), which hands its activations back exactly.

:func:`compare_files_by_layer` does the same for two result files: files made on this machine are re-run here,
each in the setting it records (as ``reproduce`` does); a file from another machine is compared by the layer
fingerprints it stores (``run --layers``).

Both are generators that yield the engine's :class:`Progress` and return a :class:`LayerStudy`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Generator

from vggcompare.core.analysis.layers import LayerComparison, compare_layers
from vggcompare.core.analysis.result import RunResult
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, ResultFileError, RunCancelled, VggCompareError
from vggcompare.core.input.images import LoadedImage, load_image


@dataclass
class LayerStudy:
    """Two runs with their layer traces, the layer-by-layer comparison, and how each side was obtained."""

    a: RunResult
    b: RunResult
    comparison: LayerComparison
    how: str
    notes: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        """The comparison's sentence, with how it was made."""
        return f"{self.comparison.sentence()} ({self.how})"


def process_setting(config: ExperimentConfig) -> tuple[str, str, int | None]:
    """What TensorFlow fixes at start for ``config``: (backend, kernel library, threads), 'default' resolved here."""
    from vggcompare.core.studies.checkup_causes import kernels_in_force

    kernels = config.kernels if config.kernels != "default" else (kernels_in_force() if config.backend == "tensorflow" else "default")
    return config.backend, kernels, config.threads


def _fits_this_process(config: ExperimentConfig) -> bool:
    """Whether ``config``'s start settings are this process's (or free to set: nothing started yet)."""
    import sys

    started = None
    if "keras" in sys.modules:
        from vggcompare.core.model.backend import active_backend

        started = active_backend()
    backend, kernels, threads = process_setting(config)
    here = process_setting(config.replace(kernels="default", threads=None))
    if started is not None and backend != started:
        return False
    if kernels != here[1]:
        return False
    if threads is None or started is None:
        return True
    import tensorflow as tf

    return tf.config.threading.get_intra_op_parallelism_threads() == threads


def compare_by_layer(config_a: ExperimentConfig, config_b: ExperimentConfig, image: LoadedImage | None = None,
                     cancel: Callable[[], bool] | None = None, allow_download: bool = True) -> Generator[Any, None, LayerStudy]:
    """Run ``config_a`` and ``config_b`` once each with every layer's output kept; compare them layer by layer.

    Parameters
    ----------
    config_a, config_b : ExperimentConfig
        The reference and the other setting, of the same model (one pass each is run; pass 1 is compared).
    image : LoadedImage, optional
        The picture; else ``config_a.image`` is loaded.

    Returns
    -------
    LayerStudy
        Both runs (with ``.layers``) and their :class:`LayerComparison`.

    Examples
    --------
    >>> ref = ExperimentConfig(image="brick.jpg", model="efficientnet-lite0", passes=1, seeding="once")
    >>> study = drive(compare_by_layer(ref, ref.replace(training_mode=True)))
    >>> study.comparison.enters_at.name
    'bn0'
    """
    from vggcompare.core.passes.engine import run_passes

    if image is None:
        if not config_a.image:
            raise ConfigError("no image was given")
        image = load_image(config_a.image)
    one = [c.replace(passes=1, image=c.image or image.source) for c in (config_a, config_b)]
    if process_setting(one[0]) != process_setting(one[1]) or not all(_fits_this_process(c) for c in one):
        return (yield from _in_new_processes(one, image, cancel))
    results = []
    for cfg in one:
        results.append((yield from run_passes(cfg, image, cancel=cancel, allow_download=allow_download,
                                              split_training=False, layers="trace")))
    return LayerStudy(results[0], results[1], compare_layers(results[0].layers, results[1].layers),
                      "both run in this process with every layer's output kept")


def _in_new_processes(configs: list[ExperimentConfig], image: LoadedImage, cancel) -> Generator[Any, None, LayerStudy]:
    """Each configuration in its own new process, its kernel library and threads forced as recorded."""
    import time

    from vggcompare.core.passes.engine import Progress
    from vggcompare.core.process.fresh import start_all, stop_all

    if not image.source or not os.path.isfile(image.source):
        raise ConfigError("a layer comparison across process settings runs new Python processes, which need the image's file")
    forced = []
    for cfg in configs:
        backend, kernels, threads = process_setting(cfg)
        forced.append(cfg.replace(kernels=kernels if backend == "tensorflow" else "default"))
    runs = start_all({k: (cfg, image.source) for k, cfg in enumerate(forced)}, layers=True)
    t0 = time.perf_counter()
    try:
        for k, run in runs.items():
            while not run.poll(cancel):
                yield Progress("passes", k, 2, time.perf_counter() - t0, None, f"Layer pass {k + 1} of 2 (a new Python process)")
                time.sleep(0.2)
        results = [runs[k].result() for k in (0, 1)]
    except RunCancelled:
        raise
    finally:
        stop_all(runs)
    return LayerStudy(results[0], results[1], compare_layers(results[0].layers, results[1].layers),
                      "each run in a new Python process in its own setting (kernel library, threads), activations compared exactly")


def _same_machine(result: RunResult) -> bool:
    """Whether ``result`` was made on a machine like this one (same CPU name and instruction sets)."""
    from vggcompare.core.model.cpu import cpu_flags, cpu_name

    env = result.environment.to_dict()
    return env.get("cpu") == cpu_name() and sorted(env.get("cpu_flags") or []) == sorted(cpu_flags())


def recorded_config(result: RunResult, other: RunResult) -> ExperimentConfig:
    """The file's configuration with the process settings it recorded made explicit where the two files differ."""
    cfg = result.config
    env, other_env = result.environment.to_dict(), other.environment.to_dict()
    changes: dict[str, Any] = {}
    if env.get("kernels") != other_env.get("kernels") and env.get("kernels") in ("oneDNN", "Eigen"):
        changes["kernels"] = env["kernels"].lower()
    if env.get("intra_op_threads") != other_env.get("intra_op_threads") and isinstance(env.get("intra_op_threads"), int):
        changes["threads"] = int(env["intra_op_threads"])
    return cfg.replace(**changes)


def compare_files_by_layer(a: RunResult, b: RunResult, image_path: str | None = None, allow_model: bool = False,
                           cancel: Callable[[], bool] | None = None, allow_download: bool = False,
                           ) -> Generator[Any, None, LayerStudy]:
    """Compare two result files layer by layer (see the module): re-run here, or by their stored fingerprints.

    Raises
    ------
    ResultFileError
        A file from another machine stores no layer fingerprints (one sentence saying how to make them).
    ImageError, ConfigError
        As ``reproduce``: the image is missing or not the recorded picture; a model file without ``allow_model``.
    """
    from vggcompare.core.studies.reproduce import check_model_allowed, find_image

    here = [_same_machine(r) for r in (a, b)]
    if not all(here):
        for name, r, local in (("A", a, here[0]), ("B", b, here[1])):
            if not local and r.layers is None:
                raise ResultFileError(f"{name} was made on another machine ({r.environment.value('cpu', 'unknown CPU')}) and "
                                      "stores no layer fingerprints: make it again there with run --layers --out FILE")
        traces = [a.layers, b.layers]
        if traces[0] is None or traces[1] is None:
            local = a if traces[0] is None else b
            raise ResultFileError(f"{'A' if local is a else 'B'} stores no layer fingerprints: make it with run --layers "
                                  "--out FILE so it can be compared with the other machine's file")
        return LayerStudy(a, b, compare_layers(traces[0], traces[1]),
                          "from the files' stored fingerprints (another machine)")
    for r in (a, b):
        check_model_allowed(r, allow_model)
    path = find_image(a, image_path)
    image = load_image(path)
    from vggcompare.core.passes.engine_steps import pixels_sha256

    for name, r in (("A", a), ("B", b)):
        recorded = r.image.pixels_sha256
        if recorded and recorded != pixels_sha256(image):
            from vggcompare.core.errors import ImageError

            raise ImageError(f"{os.path.basename(path)} is not {name}'s picture: its pixels' SHA-256 differs from the recorded one")
    configs = [recorded_config(a, b).replace(image=path), recorded_config(b, a).replace(image=path)]
    study = yield from compare_by_layer(configs[0], configs[1], image, cancel, allow_download)
    for name, original, new in (("A", a, study.a), ("B", b, study.b)):
        same = new.probabilities[0].tobytes() == original.probabilities[0].tobytes()
        if not same:
            from vggcompare.core.analysis.verdict import fmt

            diff = float(abs(new.probabilities[0].astype("float64") - original.probabilities[0]).max())
            study.notes.append(f"Re-running {name} here did not give its file's pass 1 bit for bit (up to {fmt(diff)}): "
                               "the layers show this machine's run in its recorded setting.")
    study.how = "both files re-run on this machine, each in its recorded setting"
    return study


__all__ = ["LayerStudy", "compare_by_layer", "compare_files_by_layer", "process_setting", "recorded_config",
           "VggCompareError"]
