"""The pass engine: one image, N forward passes, every source of variation a switch.

:func:`run_passes` is a generator: it yields :class:`Progress` after every chunk (each yield is a
cancellation point) and returns a :class:`RunResult`. :func:`run_experiment` drives it to the end.

Randomness is keyed, not streamed: pass i's augmentation, dropout masks and new weights are drawn
from generators seeded with (run seed, i), so they do not depend on the batch size or chunking.
``off`` takes the run seed from the operating system's entropy; ``once`` uses the seed S;
``every-pass`` uses (S, 0) for every pass, so every pass draws the same numbers.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Generator

import numpy as np

from vggcompare.core.input import augment as aug
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.run.environment import environment_record
from vggcompare.core.model.backend import EngineSettings, apply_start_settings, import_tensorflow, set_deterministic_ops, set_threads
from vggcompare.core.errors import RunCancelled, VggCompareError
from vggcompare.core.input.images import LoadedImage, encode_png, load_image, to_thumbnail
from vggcompare.core.input.model_view import model_input, switch_notes
from vggcompare.core.model.prepare import PreparedModel, prepare_model
from vggcompare.core.analysis.result import RunResult, Thumbnail
from vggcompare.core.analysis.verdict import run_verdict

# Passes per forward call when not set. Measured (benchmarks/bench_chunk.py, 2-core AVX-512 EPYC, best call):
# float32 s/pass B1 0.193, B4 0.177, B8 0.173, B16 0.171, B32 0.170; bfloat16 B8 +5%, B16 +2.5%, B32 best.
# 16 is within 1% (fp32) / 2.5% (bf16) of 32 at half the memory and half the time between progress reports.
AUTO_BATCH = 16
THUMBNAILS = 8
STREAM_AUGMENT, STREAM_DROPOUT, STREAM_WEIGHTS, STREAM_INIT = 1, 2, 3, 4


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
    if config.reinit_weights:
        return 1
    if config.batch_size is not None:
        return min(config.batch_size, config.passes)
    return min(AUTO_BATCH, config.passes)


def _pass_seed(base: tuple[int, ...], config: ExperimentConfig, i: int, stream: int) -> list[int]:
    index = 0 if config.seeding == "every-pass" else i
    return [*base, index, stream]


def run_passes(
    config: ExperimentConfig,
    image: LoadedImage | None = None,
    *,
    cancel: Callable[[], bool] | None = None,
    allow_download: bool = True,
    download_progress: Callable[[int, int], None] | None = None,
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

    Yields
    ------
    Progress
        After model loading and after every chunk of passes.

    Returns
    -------
    RunResult
        Probabilities (N, C) float32, statistics, verdict, environment and timings.
    """
    t_start = time.perf_counter()
    config.validate()
    stop = cancel or (lambda: False)
    if image is None:
        if not config.image:
            from vggcompare.core.errors import ConfigError

            raise ConfigError("no image was given")
        image = load_image(config.image)
    elif not config.image and image.source and not image.source.startswith("<"):
        config = config.replace(image=image.source)
    yield Progress("loading", 0, config.passes, 0.0, None, "Starting TensorFlow and preparing the model…")
    apply_start_settings(EngineSettings.from_config(config))
    import_tensorflow()
    threads = set_threads(config.threads)
    set_deterministic_ops(config.deterministic_ops)
    if config.seeding != "off":
        import keras

        keras.utils.set_random_seed(config.seed)
    prepared = prepare_model(config, allow_download=allow_download, download_progress=download_progress, cancel=stop)
    if stop():
        raise RunCancelled("the run was cancelled")
    base = (secrets.randbits(63),) if config.seeding == "off" else (config.seed,)
    if prepared.random_weights and not config.reinit_weights:
        prepared.hold_weights((*base, STREAM_INIT))
    t_model = time.perf_counter()
    height, width = prepared.input_size
    picture = model_input(image, (height, width), config.interpolation, config.pitfalls)
    augmenter = aug.PassAugmenter(config.augment, base[0] % 2**32, config.seeding) if config.augment.enabled else None
    mode = config.effective_preprocess
    n = config.passes
    chunk = auto_batch_size(config)
    probs = np.empty((n, prepared.classes), dtype=np.float32)
    params: list[dict] = []
    thumbs: list[Thumbnail] = []
    first_call = 0.0
    t_passes = time.perf_counter()
    yield Progress("passes", 0, n, t_passes - t_start, None, f"Pass 0 of {n}")
    for start in range(0, n, chunk):
        if stop():
            raise RunCancelled("the run was cancelled")
        count = min(chunk, n - start)
        indices = range(start, start + count)
        x, drawn, shown = aug.model_batch(augmenter, picture, indices, mode, config.pitfalls, THUMBNAILS)
        params.extend(drawn)
        for i, seen in shown.items():
            caption = aug.describe(config.augment, params[i]) if config.augment.enabled else "as loaded"
            thumbs.append(Thumbnail(i, encode_png(to_thumbnail(seen)), f"pass {i + 1}: {caption}"))
        if count < chunk:  # pad to the fixed batch shape, so the graph is never retraced
            x = np.concatenate([x, np.repeat(x[-1:], chunk - count, axis=0)])
        keys = None
        if prepared.keys is not None:
            keys = np.array(
                [np.random.SeedSequence(_pass_seed(base, config, i, STREAM_DROPOUT)).generate_state(2, np.uint32) for i in indices],
                dtype=np.int64,
            )
            if count < chunk:
                keys = np.concatenate([keys, np.repeat(keys[-1:], chunk - count, axis=0)])
        if config.reinit_weights:
            prepared.hold_weights(tuple(_pass_seed(base, config, start, STREAM_WEIGHTS)))
        t_call = time.perf_counter()
        out = _forward(prepared, x, keys)
        if start == 0:
            first_call = time.perf_counter() - t_call
        probs[start : start + count] = out[:count]
        done = start + count
        elapsed = time.perf_counter() - t_passes
        eta = elapsed / done * (n - done)
        yield Progress("passes", done, n, time.perf_counter() - t_start, eta, f"Pass {done} of {n}")
    t_end = time.perf_counter()
    notes = list(image.notes) + switch_notes(image, config.pitfalls)
    if config.augment.enabled:
        notes.extend(aug.augment_notes(config.augment, base[0] % 2**32, config.seeding))
    if prepared.softmax_applied:
        notes.append("Note: the model outputs scores, not probabilities, so a softmax was applied to them.")
    if config.reinit_weights and config.batch_size not in (None, 1):
        notes.append("New weights for every pass need one pass per forward call, so passes per call was set to 1.")
    env = environment_record(config.precision, config.deterministic_ops)
    env["intra_op_threads"] = threads
    env["passes_per_call"] = chunk
    env["model"] = prepared.description
    pass_seconds = t_end - t_passes
    result = RunResult(
        config=config,
        labels=list(prepared.labels),
        probabilities=probs,
        augmentation=params,
        environment=env,
        timings={
            "model_seconds": round(t_model - t_start, 4),
            "first_call_seconds": round(first_call, 4),
            "passes_seconds": round(pass_seconds, 4),
            "seconds_per_pass": round(pass_seconds / n, 5),
            "passes_per_second": round(n / pass_seconds, 3) if pass_seconds > 0 else 0.0,
            "total_seconds": round(t_end - t_start, 4),
        },
        notes=notes,
        image=_image_record(image, picture),
        thumbnails=thumbs,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    result.name = f"{_short_source(image)} · {config.summary()}"
    result.verdict = run_verdict(result.statistics, result.labels, config, prepared.dropout_layers > 0, notes)
    return result


def _forward(prepared: PreparedModel, x: np.ndarray, keys: np.ndarray | None) -> np.ndarray:
    """One forward call; TensorFlow's own failures become one sentence the user can act on."""
    try:
        return prepared.forward(x, keys)
    except MemoryError:
        raise VggCompareError(
            f"out of memory during a forward call of {x.shape[0]} passes; set fewer passes per call"
        ) from None
    except Exception as exc:  # TensorFlow raises its own OpError family
        if type(exc).__module__.startswith(("tensorflow", "keras")):
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            hint = "; set fewer passes per call" if "ResourceExhausted" in type(exc).__name__ or "OOM" in str(exc) else ""
            raise VggCompareError(f"the model failed during a forward call ({type(exc).__name__}: {first}){hint}") from exc
        raise


def run_experiment(
    config: ExperimentConfig,
    image: LoadedImage | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    allow_download: bool = True,
    download_progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run :func:`run_passes` to the end, reporting progress; return the result."""
    gen = run_passes(config, image, cancel=cancel, allow_download=allow_download, download_progress=download_progress)
    while True:
        try:
            report = next(gen)
        except StopIteration as stop:
            return stop.value
        if progress is not None:
            progress(report)


def _short_source(image: LoadedImage) -> str:
    return image.source.replace("\\", "/").rsplit("/", 1)[-1]


def _image_record(image: LoadedImage, picture: np.ndarray) -> dict:
    return {
        "source": image.source,
        "format": image.format,
        "original_mode": image.original_mode,
        "original_size": list(image.original_size),
        "size": list(image.size),
        "frame_count": image.frame_count,
        "notes": list(image.notes),
        "pixels_sha256": hashlib.sha256(image.image.tobytes()).hexdigest(),
        "model_input_size": [int(picture.shape[0]), int(picture.shape[1])],
    }
