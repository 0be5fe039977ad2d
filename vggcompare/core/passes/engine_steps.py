"""The engine's steps, in the order a run takes them: start the backend, then (after the forward calls of
:mod:`vggcompare.core.passes.forward`) assemble the result (environment, timings, image record, verdict).

:mod:`vggcompare.core.passes.engine` strings them together; each step is a plain function.
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
from vggcompare.core.model.backend import EngineSettings, set_deterministic_ops, set_random_seed, set_threads, start_backend
from vggcompare.core.analysis.records import Environment, ImageFacts, Timings
from vggcompare.core.passes.environment import environment_record


def start_engine(config: ExperimentConfig) -> dict[str, Any]:
    """Start the backend with the configuration's start settings, then its run-time settings.

    Returns what the environment record needs from the start: the threads in force and, for a
    bfloat16 run, the measured bfloat16 verdict (core.model.bf16), said before the passes.
    """
    backend = start_backend(EngineSettings.from_config(config))
    facts: dict[str, Any] = {"threads": set_threads(config.threads)}
    set_deterministic_ops(config.deterministic_ops)
    if config.seeding != "off":
        set_random_seed(config.seed)  # keras.utils.set_random_seed, keeping TensorFlow's kernel cache when it can
    if config.precision == "bfloat16":
        from vggcompare.core.model.bf16 import bfloat16_support

        facts["bfloat16"] = bfloat16_support(backend)
    return facts


def environment(config: ExperimentConfig, facts: dict[str, Any], per_call: int, model: str,
                call_rows: int | None = None, layers: dict[str, int] | None = None,
                outputs: str | None = None, augmentation: list[str] | None = None,
                served: dict[str, Any] | None = None, preprocessing: list[str] | None = None) -> Environment:
    """The run's environment record (see core.passes.environment), with the engine's own facts and call path."""
    support = facts.get("bfloat16")
    env = environment_record(config.precision, config.deterministic_ops, support.word if support else None)
    if support is not None:
        env["bfloat16_speed_ratio"] = support.speed_ratio
    env["intra_op_threads"] = facts["threads"]
    env["passes_per_call"] = per_call
    env["call_path"] = config.call
    env["training_mode"] = config.training_mode
    env["loader"] = config.loader
    env.update(_loader_versions(config.loader))
    if call_rows is not None:
        env["rows_per_call"] = call_rows  # the image's pass and its batch neighbours
    if layers:
        env["batchnorm_layers"], env["dropout_layers_in_model"] = layers.get("batchnorm", 0), layers.get("dropout", 0)
    if augmentation:
        env["augmentation_layers_in_model"] = list(augmentation)
    if preprocessing:
        env["preprocessing_in_model"] = list(preprocessing)
    env["model"] = model
    if outputs:
        env["model_outputs"] = outputs  # probabilities or scores, decided once on the float32 Keras pass
    env["preprocess"] = config.effective_preprocess  # the mode "auto" resolved to, or the one asked for
    if config.preprocess_function:
        env["preprocess"] = f"your function {config.preprocess_function}"
    if config.loader_function:
        env["loader"] = f"your function {config.loader_function}"
    env.update(served or {})  # an export's runtime: its versions, converter, the export's hash and time
    return Environment.from_dict(env)


def _loader_versions(loader: str) -> dict[str, str]:
    """The version of the library the loader called (Pillow for load-img is in the record already)."""
    if loader == "opencv":
        import cv2

        return {"opencv": cv2.__version__}
    return {}


def neighbours(config: ExperimentConfig, size: tuple[int, int], source: str, pipeline=None) -> tuple[np.ndarray, list[str]]:
    """The batch neighbours' preprocessed rows (none: an empty array) and the notes on them."""
    if config.batch_neighbours == "none":
        return np.empty((0,)), []
    from vggcompare.core.errors import ConfigError
    from vggcompare.core.passes.neighbours import call_rows, neighbour_rows

    rows = call_rows(config)
    if rows < 2:
        raise ConfigError("batch neighbours need at least 2 rows per call (--batch-size): the image and one other")
    return neighbour_rows(config, size, rows - 1, source, pipeline)


def call_notes(config: ExperimentConfig, prepared: Any) -> list[str]:
    """What the call path did, in the words of the user's own code (or which runtime served the model, and its export)."""
    import keras

    if getattr(prepared, "served", None) is not None:
        return prepared.served.notes()

    jax = keras.backend.backend() == "jax"
    notes = {"predict": ["Called as model.predict(x, batch_size=len(x)) (always training=False)."],
             "eager": [f"Called eagerly as model(x, training={config.training_mode and config.training_part not in ('dropout', 'augmentation')}), "
                       "with no compiled function."],
             "xla": ["Under JAX, jax.jit already compiles with XLA: the xla path is the compiled one."] if jax else
                    ["Called through tf.function(jit_compile=True): XLA compiles the model."]}.get(config.call, [])
    if config.call == "xla" and not jax and prepared.keys is not None:
        notes.append("Under XLA, TensorFlow draws its stateless random numbers with another algorithm, so the dropout "
                     "masks differ from the other paths' (still one mask per pass, from the pass's key).")
    if config.training_mode:
        notes.append(training_call_note(config.training_part, prepared.layers.get("batchnorm", 0), prepared.layers.get("dropout", 0),
                                        prepared.augmentation))
    return notes


def preprocessing_notes(config: ExperimentConfig, preprocessing: list[str]) -> list[str]:
    """What preprocessing the model does inside, and, when one is chosen outside too, that the input is preprocessed twice."""
    from vggcompare.core.analysis.verdict import join_words

    if not preprocessing:
        return []
    inside = join_words(list(preprocessing))
    notes = [f"The model preprocesses its input inside: {inside}."]
    mode = config.effective_preprocess
    if mode != "none":
        notes.append(f"Note: the input is preprocessed twice: outside ({mode} mode, preprocess_input) and again inside "
                     f"the model ({inside}); choose preprocessing none to feed it raw pixels, as its own layers expect.")
    return notes


def row_mixing_note(config: ExperimentConfig, prepared: Any) -> list[str]:
    """The sentence saying a run goes one pass per call because the model's augmentation layers mix rows, if so."""
    from vggcompare.core.analysis.verdict import model_augmentation_active

    mixing = [text.split(" ", 1)[0] for text in prepared.augmentation if text.split(" ", 1)[0] in ("MixUp", "CutMix")]
    if not mixing or not model_augmentation_active(config):
        return []
    effect = ("pastes a patch of the image onto itself, which changes nothing" if mixing == ["CutMix"] else
              "mixes the image with itself (w·x + (1 − w)·x), which changes it by float32 rounding only")
    return [f"The model's {' and '.join(mixing)} mix{'es' * (len(mixing) == 1)} the rows of one call, so each pass ran in a "
            f"call of its own (one pass per call): it {effect}."]


def training_call_note(part: str, bn: int, do: int, augmentation: list[str] = ()) -> str:
    """What the call in training mode did, for the whole of it or one part ("batchnorm", "dropout", "augmentation")."""
    from vggcompare.core.analysis.verdict import join_words

    if part == "augmentation":
        return (f"Called with training=False and only the model's augmentation layers ({len(augmentation)}: "
                f"{join_words(list(augmentation))}) acting, each pass with its own transform keyed per pass: BatchNorm "
                f"layers ({bn}) kept their moving statistics and the Dropout layers ({do}) were off.")
    if part == "dropout":
        return (f"Called with training=False and only the Dropout layers ({do}) on, with a mask keyed per pass: "
                f"BatchNorm layers ({bn}) kept their moving statistics, as in inference.")
    dropout = (f"the Dropout layers ({do}) were kept off" if part == "batchnorm"
               else f"Dropout layers ({do}) are on with a mask keyed per pass")
    augmented = ""
    if augmentation:
        augmented = (f"; the augmentation layers inside the model ({len(augmentation)}: {join_words(list(augmentation))}) "
                     + ("were kept off" if part == "batchnorm" else "act with a transform keyed per pass"))
    return (f"Called with training=True: BatchNorm layers ({bn}) normalise with this call's own batch statistics, "
            f"{dropout}{augmented}; BatchNorm's moving statistics are put back after each call.")


def training_note(prepared: Any, trained: np.ndarray, inferred: np.ndarray, config: ExperimentConfig,
                  parts: dict[str, np.ndarray] | None = None) -> str:
    """One sentence: which layers training mode changed and how far pass 1 moved against inference on its input.

    ``parts`` holds pass 1 with each part of training mode alone ("batchnorm": Dropout kept off; "dropout":
    BatchNorm in inference), on the same batch and dropout keys; the sentence then says how far each moved
    the top-5 probabilities (inference's top 5 classes)."""
    from vggcompare.core.analysis.verdict import fmt, join_words

    bn, do = prepared.layers.get("batchnorm", 0), max(prepared.layers.get("dropout", 0), prepared.dropout_layers)
    augmentation = list(getattr(prepared, "augmentation", []))
    ref = inferred[0].astype(np.float64)
    diff = np.abs(trained.astype(np.float64) - ref)
    labels = prepared.labels
    top = (int(np.argmax(ref)), int(np.argmax(trained)))
    if not bn and not do and not augmentation:
        return ("No BatchNorm, Dropout or augmentation layer: training mode changes nothing here "
                f"(pass 1 against inference on its input: largest difference {fmt(float(diff.max()))}).")
    which = ", ".join(w for w in (f"{bn} BatchNorm layer(s) using the batch's statistics" if bn else "",
                                  f"{do} Dropout layer(s) dropping units" if do else "",
                                  f"{len(augmentation)} augmentation layer(s) ({join_words(augmentation)})"
                                  if augmentation else "") if w)
    if config.training_part != "all":
        which = {"batchnorm": f"{bn} BatchNorm layer(s) using the batch's statistics (Dropout kept off)",
                 "dropout": f"{do} Dropout layer(s) dropping units (BatchNorm in inference)",
                 "augmentation": f"{len(augmentation)} augmentation layer(s) ({join_words(augmentation)}; BatchNorm in "
                                 "inference, Dropout off)"}[config.training_part]
    moved = (f"top-1 changed from {labels[top[0]]} to {labels[top[1]]}" if top[0] != top[1] else f"top-1 stayed {labels[top[0]]}")
    text = (f"Training mode made the difference through {which}: pass 1 against inference on the same input moved a "
            f"probability by up to {fmt(float(diff.max()))}; {moved}.")
    if parts:
        five = np.argsort(-ref, kind="stable")[:5]

        def part(p: np.ndarray, what: str, count: int) -> str:
            if not count:
                return f"{what} alone: no such layer"
            flip = " (top-1 changed)" if int(np.argmax(p)) != top[0] else ""
            return f"{what} alone moved them by up to {fmt(float(np.abs(p[five].astype(np.float64) - ref[five]).max()))}{flip}"

        augmented = f"; {part(parts['augmentation'], 'the augmentation layers', len(augmentation))}" if "augmentation" in parts else ""
        text += (f" Split on the same batch and dropout keys: training mode moved the top-5 probabilities by up to "
                 f"{fmt(float(diff[five].max()))}; {part(parts['batchnorm'], 'BatchNorm batch statistics', bn)}; "
                 f"{part(parts['dropout'], 'Dropout', do)}{augmented}.")
    return text


def timings(t: dict[str, float], first_call: float, n: int) -> Timings:
    """Seconds of each stage from the time stamps ``t`` (start, model, passes, end)."""
    pass_seconds = t["end"] - t["passes"]
    explained = {"explain_seconds": round(t["explained"] - t["end"], 4)} if "explained" in t else {}
    return Timings.from_dict({
        "model_seconds": round(t["model"] - t["start"], 4),
        "first_call_seconds": round(first_call, 4),
        "passes_seconds": round(pass_seconds, 4),
        "seconds_per_pass": round(pass_seconds / n, 5),
        "passes_per_second": round(n / pass_seconds, 3) if pass_seconds > 0 else 0.0,
        "total_seconds": round(t["end"] - t["start"], 4),
    } | explained)


def notes_for(config: ExperimentConfig, image: LoadedImage, softmax_applied: bool, facts: dict[str, Any],
              input_notes: list[str] = (), output_note: str = "") -> list[str]:
    """The run's notes: the image's and its input's (``input_notes``), plus what the engine changed or found.

    ``output_note``: the sentence saying that the model's structure and its numbers disagreed on whether it
    outputs probabilities (core.model.outputs), if they did."""
    own = [n for n in image.notes if "load_img" not in n] if config.loader != "load-img" else image.notes
    notes = list(own) + list(input_notes)
    if output_note:
        notes.append(output_note)
    elif softmax_applied:
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
    augmentation = list(result.environment.augmentation_layers_in_model or ())
    if not random_sources(config, dropout_layers > 0, augmentation):
        rows = row_pattern(result.probabilities, int(result.environment.passes_per_call or 1))
    result.verdict = run_verdict(result.statistics, result.labels, config, dropout_layers > 0, result.notes, rows,
                                 augmentation)
    return result


def short_source(image: LoadedImage) -> str:
    """The image's file name."""
    return image.source.replace("\\", "/").rsplit("/", 1)[-1]


def image_record(image: LoadedImage, picture: np.ndarray) -> ImageFacts:
    """What the result records about the image, including the pixel hash that `reproduce` checks."""
    return ImageFacts.from_dict({
        "source": image.source,
        "format": image.format,
        "original_mode": image.original_mode,
        "original_size": list(image.original_size),
        "size": list(image.size),
        "frame_count": image.frame_count,
        "notes": list(image.notes),
        "pixels_sha256": pixels_sha256(image),
        "model_input_size": [int(picture.shape[0]), int(picture.shape[1])],
    })


def pixels_sha256(image: LoadedImage) -> str:
    """The SHA-256 of the loaded picture's RGB pixels (what a result records as ``pixels_sha256``)."""
    return hashlib.sha256(image.image.tobytes()).hexdigest()
