"""Numerics: batching, row position, precision, op determinism, threads, kernel library and Keras backend.

Settings that must precede the backend's start (threads, kernel library, backend) run in fresh
processes (core.process.fresh); the table gives each pair's time per pass beside its difference.
"""

from __future__ import annotations

import importlib.util

from vggcompare.core.analysis.rows import row_pattern
from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.studies.presets.base import Preset, Step, clean, record_comparison

ROW_PASSES = 12  # one call of 12: on an AVX2 CPU (Eigen) a tiny CNN's rows 9-12 differed from the others
ROW_LABEL = f"{ROW_PASSES} identical inputs in one call"


def _jax_installed() -> bool:
    return importlib.util.find_spec("jax") is not None


def _pair(name: str, first: tuple, second: tuple, fresh: bool = False) -> list[Step]:
    """Two steps compared with each other: where one does not apply to the model, both are left out."""
    return [Step(*first, fresh, name), Step(*second, fresh, name)]


def _p6_steps(cfg, _image=None):
    n = max(2, min(cfg.passes, 8))
    base = clean(cfg, passes=n, backend="tensorflow", kernels="default")
    steps = [*_pair("batching", ("one pass per call", base.replace(batch_size=1)), (f"{n} passes per call", base.replace(batch_size=n))),
             *_pair("precision", ("float32", base), ("bfloat16", base.replace(precision="bfloat16"))),
             *_pair("determinism", ("deterministic ops off", base), ("deterministic ops on", base.replace(deterministic_ops=True))),
             *_pair("threads", ("1 thread (fresh process)", base.replace(threads=1)), ("all threads (fresh process)", base), True),
             *_pair("kernels", ("oneDNN kernels (fresh process)", base.replace(kernels="onednn")),
                    ("Eigen kernels (fresh process)", base.replace(kernels="eigen")), True)]
    if _jax_installed():
        steps += _pair("backend", ("TensorFlow backend (fresh process)", base), ("JAX backend (fresh process)", base.replace(backend="jax")), True)
    return steps + [Step(ROW_LABEL, base.replace(passes=ROW_PASSES, batch_size=ROW_PASSES))]


def _seconds(result) -> str:
    """Seconds per pass after the first forward call (which includes compiling), when there was more than one call."""
    t, n = result.timings, result.passes
    per_call = int(result.environment.passes_per_call or n)
    passes, first = t.passes_seconds or 0, t.first_call_seconds or 0
    if n > per_call and passes > first:
        return f"{(passes - first) / (n - per_call):.3g}"
    return f"{t.seconds_per_pass or 0.0:.3g}"


def _p6_sum(o):
    names = [k for k in o.runs if k != ROW_LABEL]
    o.columns = ["comparison", "bit-identical?", "largest difference", "same top-1?", "s per pass (each)"]
    o.bars_label = "largest difference of any probability"
    for a, b in zip(names[::2], names[1::2]):
        c = record_comparison(o, a, b)
        o.bars.append((f"{a} vs {b}", c.numbers.max_abs_difference))
        o.rows.append([f"{a} vs {b}", "yes" if c.numbers.bit_identical else "no",
                       "none" if c.numbers.bit_identical else fmt(c.numbers.max_abs_difference), "yes" if c.numbers.same_top1 else "no",
                       f"{_seconds(o.runs[a])} / {_seconds(o.runs[b])}"])
    row_run = o.runs.get(ROW_LABEL)
    if row_run is not None:
        pattern = row_pattern(row_run.probabilities, ROW_PASSES)
        if pattern is None:
            cells = ["yes", "none", "yes"]
        else:
            rows = f"rows {', '.join(str(r + 1) for r in pattern.rows)} differ" if pattern.rows else "calls differ"
            cells = ["no", f"{fmt(pattern.largest)} ({rows})", "yes" if row_run.statistics.distinct_top1 == 1 else "no"]
        o.rows.append([f"row position: {ROW_LABEL}", *cells, _seconds(row_run)])
        o.bars.append((f"row position ({ROW_PASSES} per call)", 0.0 if pattern is None else pattern.largest))
    if not _jax_installed():
        o.notes.append("The JAX backend is not installed (pip install -e \".[jax]\"), so the backend comparison was left out.")
    o.headline = "Numerics: " + "; ".join(f"{r[0]}: {r[2]}" for r in o.rows) + "."


PRESETS = [
    Preset("numerics", "Numerics",
           "One pass per call against batched, float32 against bfloat16, deterministic ops off against on, one thread "
           "against all, oneDNN against Eigen kernels, TensorFlow against JAX, and the same input at every row of one "
           "forward call, each with its time per pass. It shows how small these differences are, including none.",
           _p6_steps, _p6_sum),
]
