"""Numerics: batching, precision, op determinism and threads."""

from __future__ import annotations

from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.run.presets.base import Preset, clean, record_comparison


def _p6_steps(cfg):
    n = max(2, min(cfg.passes, 8))
    base = clean(cfg, passes=n)
    return [("one pass per call", base.replace(batch_size=1)), (f"{n} passes per call", base.replace(batch_size=n)),
            ("float32", base), ("bfloat16", base.replace(precision="bfloat16")),
            ("deterministic ops off", base), ("deterministic ops on", base.replace(deterministic_ops=True)),
            ("1 thread (fresh process)", base.replace(threads=1)), ("all threads (fresh process)", base)]


def _p6_sum(o):
    names = list(o.runs)
    o.columns = ["comparison", "bit-identical?", "largest difference", "same top-1?"]
    for a, b in zip(names[::2], names[1::2]):
        c = record_comparison(o, a, b)
        o.bars.append((f"{a} vs {b}", c.numbers.max_abs_difference))
        o.bars_label = "largest difference of any probability"
        o.rows.append([f"{a} vs {b}", "yes" if c.numbers.bit_identical else "no",
                       "none" if c.numbers.bit_identical else fmt(c.numbers.max_abs_difference), "yes" if c.numbers.same_top1 else "no"])
    o.headline = "Numerics: " + "; ".join(f"{r[0]}: {r[2]}" for r in o.rows) + "."


PRESETS = [
    Preset("numerics", "Numerics",
           "One pass per call against batched, float32 against bfloat16, deterministic ops off against on, and one "
           "thread against all. It shows how small these differences are, including none.", _p6_steps, _p6_sum),
]
