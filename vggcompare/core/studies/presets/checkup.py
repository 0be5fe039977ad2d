"""The checkup as a demonstration: its causes as steps, so ``sweep FOLDER --preset checkup`` gives each cause's
top-1 flip rate over a folder (the one-image checkup itself is :mod:`vggcompare.core.studies.checkup`)."""

from __future__ import annotations

from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.studies.checkup_causes import causes_for, reference_config
from vggcompare.core.studies.presets.base import Preset, record_comparison, top1

REFERENCE = "reference (your pipeline)"


def _image(cfg):
    """The image the checkup runs on, for the causes that depend on it (none in a sweep: they are all kept)."""
    from vggcompare.core.errors import ImageError
    from vggcompare.core.input.images import load_image

    try:
        return load_image(cfg.image) if cfg.image else None
    except ImageError:
        return None  # the run itself will say what is wrong with the file


def _steps(cfg, image=None):
    ref = reference_config(cfg)
    steps = [(REFERENCE, ref, False)]
    for cause in causes_for(ref, image if image is not None else _image(cfg)):
        if not cause.not_applicable and cause.changes:
            steps.append((f"{cause.key}: {cause.setting}", ref.replace(**cause.changes), cause.fresh_process))
    return steps


def _summary(o):
    """Ranked by the largest probability change against the reference, top-1 and top-5 changes marked."""
    ref = o.runs[REFERENCE]
    o.columns = ["cause", "largest probability change", "top-1", "top-5 shared with reference"]
    rows, flips = [], 0
    for name in list(o.runs)[1:]:
        c = record_comparison(o, REFERENCE, name).numbers
        flips += not c.same_top1
        marked = top1(o.runs[name]) + ("" if c.same_top1 else "  ← top-1 changed")
        rows.append((c.max_abs_difference, [name, fmt(c.max_abs_difference), marked, f"{c.top5_overlap} of 5"]))
    rows.sort(key=lambda item: -item[0])
    o.rows = [[REFERENCE, "0", top1(ref), "5 of 5"]] + [row for _, row in rows]
    o.bars = [(row[0], value) for value, row in rows]
    o.bars_label = "largest change of any class's probability against the reference"
    missing = [c for c in causes_for(ref.config, _image(ref.config)) if c.not_applicable]
    o.notes.extend(f"'{c.key}' is not applicable: {c.not_applicable}." for c in missing)
    o.headline = (f"{flips} of {len(o.runs) - 1} causes changed the top-1 against your pipeline; the largest change is from "
                  f"{rows[0][1][0]} ({fmt(rows[0][0])})." if rows else "No cause could run on this image.")


PRESETS = [
    Preset("checkup", "Checkup", "Every cause the tool knows, each at its most common setting with one pass, against your "
           "pipeline (loader, call path, model and preprocessing as set); `vggcompare checkup IMAGE` ranks them on one image.",
           _steps, _summary, skip_unreadable=True, fresh_first=True),
]
