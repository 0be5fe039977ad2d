"""Compare two runs: numbers first (bit identity, largest difference, top-1, top-5), then the verdict built from them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

from vggcompare.core.analysis.explanation import map_difference
from vggcompare.core.analysis.result import RunResult
from vggcompare.core.analysis.stats import PassStatistics, bits
from vggcompare.core.analysis.verdict import fmt

_ENV_KEYS = ("tensorflow", "keras", "numpy", "device", "cpu", "intra_op_threads", "precision", "deterministic_ops", "passes_per_call",
             "backend", "backend_version", "jax", "kernels", "cpu_flags", "bfloat16", "jax_matmul_precision", "opencv")



@dataclass(frozen=True)
class Comparison:
    """How two runs differ, computed from their probabilities and configurations."""

    bit_identical: bool
    same_shape: bool
    max_abs_difference: float  # between mean probabilities (or per pass when shapes match)
    max_difference_class: int
    max_mean_difference: float
    same_top1: bool
    top1_a: int
    top1_b: int
    top5_overlap: int
    config_differences: tuple[str, ...]
    mean_difference: np.ndarray  # (C,) mean_b - mean_a

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (without the per-class difference array)."""
        data = asdict(self)
        data.pop("mean_difference")
        data["config_differences"] = list(self.config_differences)
        return data



def compare_probabilities(
    probs_a: np.ndarray,
    probs_b: np.ndarray,
    stats_a: PassStatistics,
    stats_b: PassStatistics,
    config_differences: Sequence[str] = (),
) -> Comparison:
    """Compare two runs' probabilities: bit identity, largest difference, top-1 and top-5."""
    a, b = np.asarray(probs_a), np.asarray(probs_b)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"the runs have different class counts ({a.shape[1]} and {b.shape[1]})")
    same_shape = a.shape == b.shape and a.dtype == b.dtype
    identical = same_shape and bool((bits(a) == bits(b)).all())
    diff_mean = stats_b.mean - stats_a.mean
    worst_mean = int(np.abs(diff_mean).argmax())
    if same_shape:
        per_pass = np.abs(a.astype(np.float64) - b.astype(np.float64))
        flat = int(per_pass.argmax())
        max_abs = float(per_pass.flat[flat])
        worst = flat % a.shape[1]
    else:
        max_abs, worst = float(abs(diff_mean[worst_mean])), worst_mean
    top5_a = {c.index for c in stats_a.top5}
    top5_b = {c.index for c in stats_b.top5}
    return Comparison(
        bit_identical=identical,
        same_shape=same_shape,
        max_abs_difference=0.0 if identical else max_abs,
        max_difference_class=worst,
        max_mean_difference=float(abs(diff_mean[worst_mean])),
        same_top1=stats_a.top1_mode == stats_b.top1_mode,
        top1_a=stats_a.top1_mode,
        top1_b=stats_b.top1_mode,
        top5_overlap=len(top5_a & top5_b),
        config_differences=tuple(config_differences),
        mean_difference=diff_mean,
    )



def comparison_verdict(cmp: Comparison, labels: Sequence[str], a_name: str = "A", b_name: str = "B") -> str:
    """Return the verdict for two runs, from their comparison numbers."""
    sentences: list[str] = []
    if cmp.bit_identical:
        sentences.append(f"{b_name[:1].upper()}{b_name[1:]} reproduces {a_name} bit for bit.")
    else:
        where = labels[cmp.max_difference_class]
        top1 = (
            f"same top-1 ('{labels[cmp.top1_a]}')"
            if cmp.same_top1
            else f"different top-1 ({a_name}: '{labels[cmp.top1_a]}', {b_name}: '{labels[cmp.top1_b]}')"
        )
        kind = "" if cmp.same_shape else " between mean probabilities"
        sentences.append(f"Largest difference{kind} {fmt(cmp.max_abs_difference)} in '{where}'; {top1}.")
        sentences.append(f"The top-5 lists share {cmp.top5_overlap} of 5 classes.")
    if cmp.config_differences:
        sentences.append(f"Settings that differ: {', '.join(cmp.config_differences)}.")
    elif not cmp.bit_identical:
        sentences.append("The settings are identical, so the difference comes from unseeded random draws or the environment.")
    return " ".join(sentences)



@dataclass(frozen=True)
class RunComparison:
    """Two runs compared: the numbers, the differing settings and environment, and the verdict."""

    numbers: Comparison
    environment_differences: tuple[str, ...]
    verdict: str
    maps: Any = None  # MapDifference of the two mean maps, when both runs made maps of one size
    layers: Any = None  # LayerComparison (core.analysis.layers), when both runs kept their layers (run --layers)



def _classes_in_words(labels: Sequence[str]) -> str:
    shown = ", ".join(f"'{name}'" for name in list(labels)[:2])
    return f"{len(labels)} classes, {shown}, …" if len(labels) > 2 else f"{len(labels)} classes, {shown}"


def check_same_classes(a: RunResult, b: RunResult, a_name: str = "A", b_name: str = "B") -> None:
    """Raise ValueError, in one sentence, unless both runs have the same classes in the same order."""
    if list(a.labels) != list(b.labels):
        raise ValueError(
            f"the runs' classes differ ({a_name}: {_classes_in_words(a.labels)}; {b_name}: {_classes_in_words(b.labels)}), "
            "so they cannot be compared class by class"
        )


def _models_sentence(a: RunResult, b: RunResult, numbers: Comparison, a_name: str, b_name: str) -> str:
    """For runs of two different models on the same classes: which models, and whether they agree."""
    from vggcompare.core.catalog import display_name

    first = (f"{a_name} is {display_name(a.config.model)} and {b_name} is {display_name(b.config.model)}: two models "
             f"on the same {len(a.labels)} classes, compared class by class.")
    if numbers.same_top1:
        return f"{first} Both give the top-1 '{a.labels[numbers.top1_a]}', so it is not specific to one of them."
    return f"{first} They disagree on the top-1, so the answer depends on the model."


def compare_results(a: RunResult, b: RunResult, a_name: str = "A", b_name: str = "B") -> RunComparison:
    """Compare run ``b`` with run ``a`` class by class; raise ValueError (one sentence) if their classes differ.

    Runs of different models compare when they share their classes (the 1000 ImageNet classes of VGG19,
    EfficientNet-Lite0 and the keras.applications models): the verdict then says which models they are.
    """
    check_same_classes(a, b, a_name, b_name)
    diffs = a.config.differences(b.config)
    if a.image.pixels_sha256 and a.image.pixels_sha256 != b.image.pixels_sha256:
        diffs = sorted(set(diffs) | {"image pixels"})
    numbers = compare_probabilities(a.probabilities, b.probabilities, a.statistics, b.statistics, diffs)
    env = tuple(k for k in _ENV_KEYS if a.environment.value(k) != b.environment.value(k))
    verdict = comparison_verdict(numbers, a.labels, a_name, b_name)
    if a.config.model != b.config.model:
        verdict = f"{_models_sentence(a, b, numbers, a_name, b_name)} {verdict}"
    if env:
        verdict += f" Environment that differs: {', '.join(env)}."
    return RunComparison(numbers, env, verdict, map_difference(a.explanation, b.explanation), _layers(a, b))


def _layers(a: RunResult, b: RunResult) -> Any:
    """The layer comparison of two runs that both kept their layers; None otherwise (or for other architectures)."""
    if a.layers is None or b.layers is None:
        return None
    from vggcompare.core.analysis.layers import compare_layers

    try:
        return compare_layers(a.layers, b.layers)
    except ValueError:
        return None
