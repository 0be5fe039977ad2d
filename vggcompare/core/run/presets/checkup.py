"""The checkup as a demonstration: its causes as steps, so ``sweep FOLDER --preset checkup`` gives each cause's
top-1 flip rate over a folder (the one-image checkup itself is :mod:`vggcompare.core.run.checkup`)."""

from __future__ import annotations

from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.run.checkup_causes import causes_for, reference_config
from vggcompare.core.run.presets.base import Preset, record_comparison, top1

REFERENCE = "reference (your pipeline)"


def _steps(cfg):
    ref = reference_config(cfg)
    steps = [(REFERENCE, ref)]
    for cause in causes_for(ref, None):
        if not cause.not_applicable and cause.changes:
            steps.append((f"{cause.key}: {cause.setting}", ref.replace(**cause.changes)))
    return steps


def _summary(o):
    ref = o.runs[REFERENCE]
    o.columns = ["cause", "top-1", "top-5 shared with reference", "largest probability change"]
    o.rows = [[REFERENCE, top1(ref), "5 of 5", "0"]]
    flips = 0
    for name in list(o.runs)[1:]:
        c = record_comparison(o, REFERENCE, name)
        flips += not c.numbers.same_top1
        o.rows.append([name, top1(o.runs[name]), f"{c.numbers.top5_overlap} of 5", fmt(c.numbers.max_abs_difference)])
        o.bars.append((name, c.numbers.max_abs_difference))
    o.bars_label = "largest change of any class's probability against the reference"
    o.headline = f"{flips} of {len(o.runs) - 1} causes changed the top-1 against your pipeline."


PRESETS = [
    Preset("checkup", "Checkup", "Every cause the tool knows, each at its most common setting with one pass, against your "
           "pipeline (loader, call path, model and preprocessing as set); `vggcompare checkup IMAGE` ranks them on one image.",
           _steps, _summary, skip_unreadable=True),
]
