"""Reproduce a result from somewhere else: re-run its exact configuration here and say what differs.

:func:`reproduce` is a generator the window can run in its engine process: it yields the engine's
:class:`Progress` and returns a :class:`Reproduction`. The result file is untrusted input: it is
read through core.storage.result_file (format, version and every part checked) under a tighter
size limit, nothing in it is executed or unpickled, and a model file it names is loaded only when
the caller says so (``allow_model``; the CLI's ``--allow-model``), and then in Keras' safe mode.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Generator

from vggcompare.core.analysis.compare import RunComparison, compare_results
from vggcompare.core.analysis.records import Environment
from vggcompare.core.analysis.result import RunResult
from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.errors import ConfigError, ImageError, ResultFileError
from vggcompare.core.input.images import load_image
from vggcompare.core.model.trust import check_trusted
from vggcompare.core.passes.engine import Progress, run_passes
from vggcompare.core.passes.engine_steps import pixels_sha256
from vggcompare.core.storage.result_file import load_result

MAX_FOREIGN_BYTES = 512 * 1024**2  # a result of 100,000 passes × 1000 classes is about 1.2 GB; one worth reproducing is far smaller
# the environment fields a reproduction compares, in the order its table lists them
FIELDS = ("cpu", "cpu_flags", "kernels", "kernels_choice", "backend", "backend_version", "tensorflow", "jax", "keras",
          "numpy", "python", "device", "intra_op_threads", "passes_per_call", "precision", "bfloat16",
          "jax_matmul_precision", "platform", "runtime", "converter", "runtime_versions", "export_sha256")
_CAUSES = {
    "kernels": "the kernel library (oneDNN and Eigen sum in different orders)",
    "cpu_flags": "the CPU's instruction sets (kernels pick other code paths and vector widths)",
    "backend": "the Keras backend (another compiler, other kernels)",
    "device": "the device (a GPU's kernels and matmul precision differ from a CPU's)",
    "jax_matmul_precision": "JAX's matmul precision",
    "intra_op_threads": "the thread count (work is split and summed differently)",
    "passes_per_call": "the passes per forward call (a pass's row in the batch)",
    "tensorflow": "the TensorFlow version",
    "jax": "the JAX version",
    "keras": "the Keras version",
    "converter": "the converter's version (it writes another export)",
    "runtime_versions": "the runtime's version (another interpreter or session)",
    "export_sha256": "the export itself (its bytes differ: another converter, or other settings)",
}


@dataclass
class Reproduction:
    """The original result, the new one made here, their comparison, the differing environment and the verdict."""

    original: RunResult
    new: RunResult
    comparison: RunComparison
    environment_rows: list[tuple[str, str, str]]  # (field, in the file, here)
    verdict: str
    image_path: str


def read_foreign_result(path: str | os.PathLike) -> RunResult:
    """Load a result file from elsewhere with the format's checks and a tighter size limit."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError:
        size = 0  # load_result says what is wrong with the path
    if size > MAX_FOREIGN_BYTES:
        raise ResultFileError(f"{p.name} is larger than {MAX_FOREIGN_BYTES // 1024**2} MB, too large a result to reproduce")
    return load_result(p)


def check_model_allowed(result: RunResult, allow_model: bool) -> None:
    """Refuse a model file named by an untrusted result unless the user allowed loading it."""
    model = result.config.model
    if result.config.is_custom_model and not allow_model:
        raise ConfigError(
            f"the result names a model file ({model}); a model file can run code when loaded, so it is loaded only "
            "when you allow it (the CLI's --allow-model; it then loads in Keras' safe mode)"
        )


def check_runtime_here(result: RunResult) -> None:
    """Refuse, before any pass, a result served by a runtime whose converter or runtime is not installed here.

    When everything is installed the run makes the export again here (or reuses this machine's cached one)."""
    from vggcompare.core.model.runtimes.served import missing_package
    from vggcompare.core.runtime_rules import runtime_of_file

    runtime = result.config.runtime
    if runtime == "keras":
        return
    missing = missing_package(runtime, result.config.backend) if not runtime_of_file(result.config.model) else ""
    if missing:
        package = missing.replace("_", "-")
        raise ConfigError(f"the result was served by {runtime}, and its converter or runtime needs {package}, which is not "
                          f"installed here (pip install {package})")


def model_beside(result: RunResult, result_path: str | os.PathLike) -> RunResult:
    """The result with its model file (and labels file) found beside the result file when the recorded path is not here.

    The Python API saves a model held in memory as a .keras copy beside the result and records its SHA-256
    (the environment's ``model_sha256``); a copy found here must have that hash."""
    from vggcompare.core.errors import ModelError

    config = result.config
    if not config.is_custom_model or os.path.isfile(config.model):
        return result
    folder = Path(result_path).resolve().parent
    beside = folder / Path(config.model.replace("\\", "/")).name
    if not beside.is_file():
        return result  # loading says the file is missing
    recorded = result.environment.model_sha256
    if recorded:
        import hashlib

        digest = hashlib.sha256(beside.read_bytes()).hexdigest()
        if digest != recorded:
            raise ModelError(f"{beside.name} beside the result is not the model the result ran: its SHA-256 differs from the recorded one")
    changes = {"model": str(beside)}
    if config.labels and not os.path.isfile(config.labels) and (folder / Path(config.labels.replace("\\", "/")).name).is_file():
        changes["labels"] = str(folder / Path(config.labels.replace("\\", "/")).name)
    result.config = config.replace(**changes)
    return result


def find_image(result: RunResult, image_path: str | None) -> str:
    """The picture to use: ``image_path`` if given, else the one the result names, if it is here."""
    candidate = image_path or result.image.source or result.config.image
    if not candidate or not os.path.isfile(candidate):
        named = candidate or "no file"
        raise ImageError(f"the result's image ({named}) is not on this machine; pass --image PATH with the same picture")
    return os.path.abspath(candidate)


def reproduce(
    result_path: str | os.PathLike,
    image_path: str | None = None,
    allow_model: bool = False,
    cancel: Callable[[], bool] | None = None,
    allow_download: bool = False,
    weights: str | None = None,
    download_progress: Callable[[int, int], None] | None = None,
    trust_model: bool = False,
) -> Generator[Progress, None, Reproduction]:
    """Re-run a result file's exact configuration here, on its image (checked by the pixel hash), and compare.

    ``weights`` is a local ImageNet weights file for the result's built-in model, used instead of the one it names
    (or of Keras' cache); with ``allow_download`` missing ImageNet weights are downloaded (their published hash
    is checked), with ``download_progress(done, total)`` for VGG19's file.

    Raises ResultFileError (bad or newer file), ImageError (image missing or not the same pixels) or
    ConfigError (a model file without ``allow_model``) before any pass runs. A model form that is a program (a
    SavedModel folder, an .h5 read by tf_keras) also needs ``trust_model``: a result never records the trust, so
    reproducing it asks again (UntrustedModelError).
    """
    original = model_beside(read_foreign_result(result_path), result_path)
    return (yield from reproduce_result(original, image_path, allow_model, cancel, allow_download, weights, download_progress,
                                        trust_model))


def reproduce_result(
    original: RunResult,
    image_path: str | None = None,
    allow_model: bool = False,
    cancel: Callable[[], bool] | None = None,
    allow_download: bool = False,
    weights: str | None = None,
    download_progress: Callable[[int, int], None] | None = None,
    trust_model: bool = False,
) -> Generator[Progress, None, Reproduction]:
    """:func:`reproduce` for a result already read and checked (the window's opened result)."""
    check_model_allowed(original, allow_model)
    if original.config.is_custom_model:
        check_trusted(original.config.model, original.config.h5_reader, trust_model)
    check_runtime_here(original)
    path = find_image(original, image_path)
    image = load_image(path)
    recorded = original.image.pixels_sha256
    if recorded and pixels_sha256(image) != recorded:
        raise ImageError(f"{os.path.basename(path)} is not the result's picture: its pixels' SHA-256 differs from the recorded one")
    config = original.config.replace(image=path, trust_model=trust_model,
                                     **({"weights": os.path.abspath(weights)} if weights else {}))
    new = yield from run_passes(config, image, cancel=cancel, allow_download=allow_download, download_progress=download_progress)
    comparison = compare_results(original, new, "the original", "this machine")
    rows = environment_rows(original.environment, new.environment)
    return Reproduction(original, new, comparison, rows, reproduction_verdict(original, comparison, rows, bool(recorded)), path)


def _text(value) -> str:
    if value is None:
        return "—"
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


def environment_rows(there: Environment, here: Environment) -> list[tuple[str, str, str]]:
    """(field, value in the file, value here) for each compared environment field that differs."""
    return [(k, _text(there.value(k)), _text(here.value(k))) for k in FIELDS if _text(there.value(k)) != _text(here.value(k))]


def reproduction_verdict(original: RunResult, cmp: RunComparison, rows: list[tuple[str, str, str]], hash_checked: bool) -> str:
    """One paragraph from the numbers: reproduced or not, by how much, and which differences can explain it."""
    n = cmp.numbers
    labels = original.labels
    differing = [field for field, _a, _b in rows]
    causes = [_CAUSES[f] for f in differing if f in _CAUSES
              and not (f == "intra_op_threads" and original.config.backend != "tensorflow")]  # a TensorFlow setting
    sentences = []
    if n.bit_identical:
        sentences.append(f"This machine reproduces the result bit for bit: all {original.passes} passes give the same float32 values.")
        if causes:
            sentences.append(f"It does so although {_join(causes)} differ{'s' if len(causes) == 1 else ''}.")
    else:
        top1 = f"the same top-1 ('{labels[n.top1_a]}')" if n.same_top1 else (
            f"a different top-1 ('{labels[n.top1_a]}' there, '{labels[n.top1_b]}' here)")
        sentences.append(f"This machine does not reproduce the result bit for bit: the largest difference is "
                         f"{fmt(n.max_abs_difference)} in '{labels[n.max_difference_class]}', with {top1}; "
                         f"the top-5 lists share {n.top5_overlap} of 5 classes.")
        unseeded = original.config.seeding == "off" and original.statistics.passes > 0 and not original.statistics.all_bit_identical
        if unseeded:
            sentences.append("The original run was unseeded and its passes varied, so no repeat can match it: seed it to compare machines.")
        elif causes:
            sentences.append(f"The settings are the same, so the difference comes from the environment: {_join(causes)}.")
        elif differing:
            sentences.append(f"The settings are the same; the environment differs only in {', '.join(differing)}.")
        else:
            sentences.append("The settings and every recorded environment field are the same, yet the numbers differ: "
                             "something not recorded (a library build, the CPU's microcode) changed the arithmetic.")
        if n.max_abs_difference < 1e-5 and n.same_top1:
            sentences.append("Differences this small are float32 rounding, not a change in what the model sees.")
    if not hash_checked:
        sentences.append("The result records no pixel hash, so the picture could not be checked.")
    return " ".join(sentences)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
