"""The engine's steps, in the order a run takes them: start the backend, build each forward call's
inputs, then assemble the result (environment, timings, image record, verdict).

:mod:`vggcompare.core.run.engine` strings them together; each step is a plain function.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from vggcompare.core.analysis.result import RunResult
from vggcompare.core.analysis.rows import row_pattern
from vggcompare.core.analysis.verdict import random_sources, run_verdict
from vggcompare.core.config import ExperimentConfig
from vggcompare.core.input.images import LoadedImage
from vggcompare.core.model.backend import EngineSettings, set_deterministic_ops, set_threads, start_backend
from vggcompare.core.run.environment import environment_record

STREAM_AUGMENT, STREAM_DROPOUT, STREAM_WEIGHTS, STREAM_INIT = 1, 2, 3, 4


def pass_seed(base: tuple[int, ...], config: ExperimentConfig, i: int, stream: int) -> list[int]:
    """The seed words of pass ``i``'s draws from ``stream``: (run seed, pass, stream); pass 0 for every-pass seeding."""
    index = 0 if config.seeding == "every-pass" else i
    return [*base, index, stream]


def start_engine(config: ExperimentConfig) -> dict[str, Any]:
    """Start the backend with the configuration's start settings, then its run-time settings.

    Returns what the environment record needs from the start: the threads in force and, for a
    bfloat16 run, the measured bfloat16 verdict (core.model.bf16), said before the passes.
    """
    backend = start_backend(EngineSettings.from_config(config))
    facts: dict[str, Any] = {"threads": set_threads(config.threads)}
    set_deterministic_ops(config.deterministic_ops)
    if config.seeding != "off":
        import keras

        keras.utils.set_random_seed(config.seed)
    if config.precision == "bfloat16":
        from vggcompare.core.model.bf16 import bfloat16_support

        facts["bfloat16"] = bfloat16_support(backend)
    return facts


def pad(x: np.ndarray, size: int) -> np.ndarray:
    """Repeat the last row until ``x`` has ``size`` rows, so the compiled call keeps one batch shape."""
    if x.shape[0] >= size:
        return x
    return np.concatenate([x, np.repeat(x[-1:], size - x.shape[0], axis=0)])


def dropout_keys(base: tuple[int, ...], config: ExperimentConfig, indices: range, size: int) -> np.ndarray:
    """One (2,) uint32 key per pass (as int64), drawn from the pass's own seed; padded to ``size`` rows."""
    keys = np.array(
        [np.random.SeedSequence(pass_seed(base, config, i, STREAM_DROPOUT)).generate_state(2, np.uint32) for i in indices],
        dtype=np.int64,
    )
    return pad(keys, size)


def environment(config: ExperimentConfig, facts: dict[str, Any], per_call: int, model: str) -> dict[str, Any]:
    """The run's environment record (see core.run.environment), with the engine's own facts."""
    support = facts.get("bfloat16")
    env = environment_record(config.precision, config.deterministic_ops, support.word if support else None)
    if support is not None:
        env["bfloat16_speed_ratio"] = support.speed_ratio
    env["intra_op_threads"] = facts["threads"]
    env["passes_per_call"] = per_call
    env["model"] = model
    env["preprocess"] = config.effective_preprocess  # the mode "auto" resolved to, or the one asked for
    return env


def timings(t: dict[str, float], first_call: float, n: int) -> dict[str, float]:
    """Seconds of each stage from the time stamps ``t`` (start, model, passes, end)."""
    pass_seconds = t["end"] - t["passes"]
    explained = {"explain_seconds": round(t["explained"] - t["end"], 4)} if "explained" in t else {}
    return {
        "model_seconds": round(t["model"] - t["start"], 4),
        "first_call_seconds": round(first_call, 4),
        "passes_seconds": round(pass_seconds, 4),
        "seconds_per_pass": round(pass_seconds / n, 5),
        "passes_per_second": round(n / pass_seconds, 3) if pass_seconds > 0 else 0.0,
        "total_seconds": round(t["end"] - t["start"], 4),
    } | explained


def notes_for(config: ExperimentConfig, image: LoadedImage, softmax_applied: bool, facts: dict[str, Any],
              input_notes: list[str] = ()) -> list[str]:
    """The run's notes: the image's and its input's (``input_notes``), plus what the engine changed or found."""
    notes = list(image.notes) + list(input_notes)
    if softmax_applied:
        notes.append("Note: the model outputs scores, not probabilities, so a softmax was applied to them.")
    if config.reinit_weights and config.batch_size not in (None, 1):
        notes.append("New weights for every pass need one pass per forward call, so passes per call was set to 1.")
    support = facts.get("bfloat16")
    if support is not None and not support.native:
        notes.append(f"Note: {support.sentence}")
    return notes


def finish(result: RunResult, image: LoadedImage, dropout_layers: int) -> RunResult:
    """Name the result and give it the verdict, with the row-position analysis when nothing random is on."""
    config = result.config
    result.name = f"{short_source(image)} · {config.summary()}"
    rows = None
    if not random_sources(config, dropout_layers > 0):
        rows = row_pattern(result.probabilities, int(result.environment.get("passes_per_call", 1)))
    result.verdict = run_verdict(result.statistics, result.labels, config, dropout_layers > 0, result.notes, rows)
    return result


def short_source(image: LoadedImage) -> str:
    """The image's file name."""
    return image.source.replace("\\", "/").rsplit("/", 1)[-1]


def image_record(image: LoadedImage, picture: np.ndarray) -> dict:
    """What the result records about the image, including the pixel hash that `reproduce` checks."""
    return {
        "source": image.source,
        "format": image.format,
        "original_mode": image.original_mode,
        "original_size": list(image.original_size),
        "size": list(image.size),
        "frame_count": image.frame_count,
        "notes": list(image.notes),
        "pixels_sha256": pixels_sha256(image),
        "model_input_size": [int(picture.shape[0]), int(picture.shape[1])],
    }


def pixels_sha256(image: LoadedImage) -> str:
    """The SHA-256 of the loaded picture's RGB pixels (what a result records as ``pixels_sha256``)."""
    return hashlib.sha256(image.image.tobytes()).hexdigest()
