"""The pass engine: one image, N forward passes, every source of variation a switch.

:func:`run_passes` is a generator: it yields :class:`Progress` after every chunk (each yield is a
cancellation point) and returns a :class:`RunResult`. :func:`run_experiment` drives it to the end.
A run takes these steps (the helpers are in :mod:`vggcompare.core.passes.engine_steps`):

1. start the backend with the configuration's settings (``start_engine``);
2. prepare the model (cached) and, for seeded random weights, draw them;
3. for each forward call: the passes' inputs (augmented per pass), their dropout keys, one call;
4. assemble the result: environment, timings, image record, and the verdict (``finish``).

Randomness is keyed, not streamed: pass i's augmentation, dropout masks and new weights are drawn
from generators seeded with (run seed, i), so they do not depend on the batch size or chunking.
``off`` takes the run seed from the operating system's entropy; ``once`` uses the seed S;
``every-pass`` uses (S, 0) for every pass, so every pass draws the same numbers.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Generator

import numpy as np

from vggcompare.core.analysis.result import RunResult, Thumbnail
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError, RunCancelled
from vggcompare.core.job_driver import drive
from vggcompare.core.input import augment as aug
from vggcompare.core.input.images import LoadedImage, encode_png, load_image, to_thumbnail
from vggcompare.core.input.loaders import loader_input
from vggcompare.core.input.model_view import switch_notes
from vggcompare.core.input.user_functions import UserPipeline, pipeline_for
from vggcompare.core.model.prepare import PreparedModel, prepare_model
from vggcompare.core.passes import engine_steps as steps
from vggcompare.core.passes import explain as explaining
from vggcompare.core.passes.forward import STREAM_INIT, forward, forward_calls, hold_pass_weights

# Passes per forward call when not set. Measured (benchmarks/bench_chunk.py, 2-core AVX-512 EPYC, best call):
# float32 s/pass B1 0.193, B4 0.177, B8 0.173, B16 0.171, B32 0.170; bfloat16 B8 +5%, B16 +2.5%, B32 best.
# 16 is within 1% (fp32) / 2.5% (bf16) of 32 at half the memory and half the time between progress reports.
AUTO_BATCH = 16
THUMBNAILS = 8


@dataclass(frozen=True)
class Progress:
    """A progress report: ``stage`` is 'loading' or 'passes'; ``done`` of ``total`` passes."""

    stage: str
    done: int
    total: int
    elapsed: float
    eta: float | None
    message: str


def auto_batch_size(config: ExperimentConfig) -> int:
    """Passes per forward call: the user's choice, else 1 with new weights per pass, else AUTO_BATCH."""
    if config.reinit_weights or config.batch_neighbours != "none":
        return 1
    if config.batch_size is not None:
        return min(config.batch_size, config.passes)
    return min(AUTO_BATCH, config.passes)


def run_passes(
    config: ExperimentConfig,
    image: LoadedImage | None = None,
    *,
    cancel: Callable[[], bool] | None = None,
    allow_download: bool = True,
    download_progress: Callable[[int, int], None] | None = None,
    split_training: bool = True,
    layers: bool | str = False,
    pipeline: UserPipeline | None = None,
) -> Generator[Progress, None, RunResult]:
    """Run N forward passes of the configured model on one image.

    Parameters
    ----------
    config : ExperimentConfig
        The experiment; validated here.
    image : LoadedImage, optional
        The picture; when omitted, ``config.image`` is loaded.
    cancel : callable, optional
        Polled between chunks; when it returns True the run stops with RunCancelled.
    allow_download : bool
        Whether missing ImageNet weights may be downloaded.
    split_training : bool
        After a training-mode run, call the first batch with each part alone for the note (a checkup has rows for them).
    layers : bool or "trace"
        Also run one instrumented pass on the first batch and keep every layer's output for the image's row
        (``result.layers``, core.passes.layer_pass); a saved result stores their fingerprints. With True a
        training-mode run also compares itself with inference layer by layer (``result.layer_comparison``);
        "trace" keeps the trace only (a caller that compares runs itself).
    pipeline : UserPipeline, optional
        The caller's own loader and/or preprocessing functions, which the configuration names
        (``loader_function``, ``preprocess_function``) and which replace the tool's.

    Yields
    ------
    Progress
        After model loading and after every chunk of passes.

    Returns
    -------
    RunResult
        Probabilities (N, C) float32, statistics, verdict, environment and timings.
    """
    t = {"start": time.perf_counter()}
    config.validate()  # (TensorFlow-only settings under JAX are refused here, before any work: core.option_rules)
    own = pipeline_for(config, pipeline)
    stop = cancel or (lambda: False)
    config, image = resolve_image(config, image)
    yield Progress("loading", 0, config.passes, 0.0, None, "Starting the backend and preparing the model…")
    facts = steps.start_engine(config)  # 1. the backend
    prepared = prepare_model(config, allow_download=allow_download, download_progress=download_progress, cancel=stop)
    if stop():
        raise RunCancelled("the run was cancelled")
    base = (secrets.randbits(63),) if config.seeding == "off" else (config.seed,)
    if prepared.random_weights and not config.reinit_weights:  # 2. the model's weights
        prepared.hold_weights((*base, STREAM_INIT))
    explaining.check_explainable(prepared, config)  # an unknown class, or Grad-CAM without a conv layer: before the passes
    t["model"] = time.perf_counter()
    height, width = prepared.input_size
    if own is not None and own.loader is not None:
        picture, loader_notes = own.picture(image, (height, width)), [f"Loaded by your function {own.loader_name}."]
    else:
        picture, loader_notes = loader_input(image, (height, width), config)
    if own is not None and own.preprocess is not None:
        loader_notes.append(f"Preprocessed by your function {own.preprocess_name}.")
    neighbours, neighbour_notes = steps.neighbours(config, (height, width), image.source, own)
    augmenter = aug.PassAugmenter(config.augment, base[0] % 2**32, config.seeding) if config.augment.enabled else None
    n, chunk = config.passes, auto_batch_size(config)
    mixing = steps.row_mixing_note(config, prepared)
    chunk = 1 if mixing else chunk
    probs = np.empty((n, prepared.classes), dtype=np.float32)
    params: list[dict] = []
    thumbs: list[Thumbnail] = []
    kept = explaining.KeptPasses(explaining.explained_count(config))
    first_call = 0.0
    t["passes"] = time.perf_counter()
    yield Progress("passes", 0, n, t["passes"] - t["start"], None, f"Pass 0 of {n}")

    def inputs(indices: range) -> np.ndarray:
        x, drawn, shown = aug.model_batch(augmenter, picture, indices, config.effective_preprocess, config.pitfalls, THUMBNAILS,
                                          own.batch if own is not None and own.preprocess is not None else None)
        params.extend(drawn)
        thumbs.extend(_thumbnails(shown, params, config))
        return x

    held = []  # the moving statistics before the user's earlier training-mode calls, put back at the end

    def calls_before(x: np.ndarray, keys: np.ndarray | None) -> None:
        from vggcompare.core.passes.training_calls import call_before

        held.append(call_before(prepared, x, keys, config.training_calls_before))
        neighbour_notes.append(held[-1].note)

    first = None
    try:
        for call in forward_calls(prepared, config, base, n, chunk, inputs, extra=neighbours, cancel=stop,  # 3. the calls
                                  before_first=calls_before if config.training_calls_before else None):
            first = first if first is not None else call  # (training mode calls the first batch again)
            kept.add(call.inputs, call.keys, call.rows)
            first_call = first_call or call.seconds
            probs[call.rows.start : call.rows.stop] = call.outputs
            done = call.rows.stop
            elapsed = time.perf_counter() - t["passes"]
            yield Progress("passes", done, n, time.perf_counter() - t["start"], elapsed / done * (n - done), f"Pass {done} of {n}")
        t["end"] = time.perf_counter()
        trace = _layer_trace(prepared, config, base, (first.inputs, first.keys), probs[0]) if layers else None
        against_inference = (_against_inference(config, (first.inputs, first.keys), trace, allow_download)
                             if layers is True else None)
    finally:
        from vggcompare.core.passes.training_calls import put_back

        for statistics in held:
            put_back(statistics)
    if config.training_mode:  # more calls on the first batch: inference, and each part of training mode alone
        inference = prepare_model(config.replace(training_mode=False, training_part="all"), allow_download=allow_download)
        split = ("batchnorm", "dropout", "augmentation") if prepared.augmentation else ("batchnorm", "dropout")
        parts = {} if config.training_part != "all" or not split_training else {
            part: forward(prepared, first.inputs, first.keys, config.replace(training_part=part))[0] for part in split}
        neighbour_notes.append(steps.training_note(prepared, probs[0], forward(inference, first.inputs[:1], None), config, parts))
    explanation = None
    if kept.count:
        yield Progress("explaining", 0, kept.count, t["end"] - t["start"], None, f"Explaining {kept.count} passes ({config.explain})…")
        hold = (lambda i: hold_pass_weights(prepared, base, config, i)) if config.reinit_weights else None
        explanation = explaining.explain_passes(prepared, config, kept, probs, chunk, hold, picture)
        t["explained"] = time.perf_counter()
    result = RunResult(  # 4. the result
        config=config,
        labels=list(prepared.labels),
        probabilities=probs,
        augmentation=params,
        environment=steps.environment(config, facts, chunk, prepared.description, len(first.inputs) if neighbours.size else None, prepared.layers,
                                      prepared.outputs.describe() if prepared.outputs else None, prepared.augmentation,
                                      prepared.served.environment() if prepared.served is not None else None,
                                      prepared.preprocessing),
        timings=steps.timings(t, first_call, n),
        notes=steps.notes_for(config, image, prepared.softmax_applied, facts,
                              [*loader_notes, *_input_notes(image, config, base), *neighbour_notes, *steps.call_notes(config, prepared),
                               *mixing, *steps.preprocessing_notes(config, prepared.preprocessing)],
                              prepared.outputs.note if prepared.outputs else ""),
        image=steps.image_record(image, picture),
        thumbnails=thumbs,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        explanation=explanation,
        layers=trace,
        layer_comparison=against_inference,
    )
    return steps.finish(result, image, prepared.dropout_layers)


def _layer_trace(prepared: PreparedModel, config: ExperimentConfig, base: tuple[int, ...], first: tuple, plain: np.ndarray):
    """The instrumented pass on the first batch (pass 1's weights, keys and training flag), with a note when its
    output is not the plain pass's bit for bit."""
    from vggcompare.core.analysis.verdict import fmt
    from vggcompare.core.passes.layer_pass import trace_layers

    if prepared.served is not None:  # an exported runtime: its own tensors, matched to the Keras layers
        from vggcompare.core.passes.runtime_layer_pass import keras_model_of, trace_served

        keras_model, notes = keras_model_of(prepared, config)
        trace = trace_served(prepared, first[0], plain, keras_model)
        trace.notes[:0] = notes
        return trace
    if config.reinit_weights:
        hold_pass_weights(prepared, base, config, 0)
    training = config.training_part if config.training_mode and config.training_part != "all" else config.training_mode
    trace = trace_layers(prepared, first[0], first[1], config.call, training)
    last = trace.arrays[-1].reshape(-1)
    if last.shape == plain.shape and not np.array_equal(last, plain):
        trace.notes.append(f"The Keras model's instrumented pass differs at the output from its plain pass by up to "
                           f"{fmt(float(np.abs(last.astype(np.float64) - plain).max()))}: with every layer an output, "
                           "the compiler fuses fewer operations (round-off only).")
    return trace


def _against_inference(config: ExperimentConfig, first: tuple, trace, allow_download: bool):
    """A training-mode run with layers: where training mode enters, against inference on pass 1's input alone."""
    if not config.training_mode:
        return None
    from vggcompare.core.analysis.layers import compare_layers
    from vggcompare.core.passes.layer_pass import trace_layers

    inference = prepare_model(config.replace(training_mode=False, training_part="all"), allow_download=allow_download)
    comparison = compare_layers(trace_layers(inference, first[0][:1], None, config.call, False), trace)
    comparison.notes.insert(0, "Training mode (B) against inference (A) on pass 1's input alone.")
    return comparison


def resolve_image(config: ExperimentConfig, image: LoadedImage | None) -> tuple[ExperimentConfig, LoadedImage]:
    """The picture to use, loaded from ``config.image`` when not given; the config records its path.

    The one place a run, a checkup or a demonstration turns the configuration's image path into a picture
    (a run given both does nothing here)."""
    if image is None:
        if not config.image:
            raise ConfigError("no image was given")
        return config, load_image(config.image)
    if not config.image and image.source and not image.source.startswith("<"):
        config = config.replace(image=image.source)
    return config, image


def _thumbnails(shown: dict[int, np.ndarray], params: list[dict], config: ExperimentConfig) -> list[Thumbnail]:
    """Thumbnails of the first THUMBNAILS passes' inputs as the model saw them, captioned with their augmentation."""
    out = []
    same: bytes | None = None  # without augmentation every pass sees the same input: one PNG serves them all
    for i, seen in shown.items():
        caption = aug.describe(config.augment, params[i]) if config.augment.enabled else "as loaded"
        png = encode_png(to_thumbnail(seen)) if config.augment.enabled or same is None else same
        same = None if config.augment.enabled else png
        out.append(Thumbnail(i, png, f"pass {i + 1}: {caption}"))
    return out


def _input_notes(image: LoadedImage, config: ExperimentConfig, base: tuple[int, ...]) -> list[str]:
    """Notes on the input: what the pitfall switches did to this picture, and the augmentation's."""
    notes = switch_notes(image, config.pitfalls)
    if config.augment.enabled:
        notes.extend(aug.augment_notes(config.augment, base[0] % 2**32, config.seeding))
    return notes


def run_experiment(
    config: ExperimentConfig,
    image: LoadedImage | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    allow_download: bool = True,
    download_progress: Callable[[int, int], None] | None = None,
    layers: bool = False,
) -> RunResult:
    """Run :func:`run_passes` to the end, reporting progress; return the result (``layers``: see run_passes)."""
    return drive(run_passes(config, image, cancel=cancel, allow_download=allow_download, download_progress=download_progress,
                            layers=layers), progress)
