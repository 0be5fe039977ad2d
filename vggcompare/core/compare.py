"""Compare two finished runs: numbers first, then the verdict built from them."""

from __future__ import annotations

from dataclasses import dataclass

from vggcompare.core.result import RunResult
from vggcompare.core.stats import Comparison, compare_probabilities
from vggcompare.core.verdict import comparison_verdict

_ENV_KEYS = ("tensorflow", "keras", "numpy", "device", "cpu", "intra_op_threads", "precision", "deterministic_ops", "passes_per_call")


@dataclass(frozen=True)
class RunComparison:
    """Two runs compared: the numbers, the differing settings and environment, and the verdict."""

    numbers: Comparison
    environment_differences: tuple[str, ...]
    verdict: str


def compare_results(a: RunResult, b: RunResult, a_name: str = "A", b_name: str = "B") -> RunComparison:
    """Compare run ``b`` with run ``a``; raise ValueError if their class counts differ."""
    diffs = a.config.differences(b.config)
    if a.image.get("pixels_sha256") and a.image.get("pixels_sha256") != b.image.get("pixels_sha256"):
        diffs = sorted(set(diffs) | {"image pixels"})
    numbers = compare_probabilities(a.probabilities, b.probabilities, a.statistics, b.statistics, diffs)
    env = tuple(k for k in _ENV_KEYS if a.environment.get(k) != b.environment.get(k))
    verdict = comparison_verdict(numbers, a.labels, a_name, b_name)
    if env:
        verdict += f" Environment that differs: {', '.join(env)}."
    return RunComparison(numbers, env, verdict)
