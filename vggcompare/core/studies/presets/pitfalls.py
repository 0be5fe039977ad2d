"""Preprocessing pitfalls and resize filters against the correct pipeline."""

from __future__ import annotations

from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.catalog import other_architecture_preprocess
from vggcompare.core.errors import ImageError
from vggcompare.core.input.images import load_image
from vggcompare.core.option_rules import why_not
from vggcompare.core.studies.presets.base import Preset, clean, record_comparison, top1


def _p5_steps(cfg, image=None):
    ref = clean(cfg, passes=1, interpolation="nearest")
    steps = [(_reference_name(ref), ref)]
    wrong, name = other_architecture_preprocess(ref.model, ref.effective_preprocess)
    steps.append((name, ref.replace(preprocess=wrong)))
    for p in ("double-preprocess", "rescale-after-preprocess", "no-bgr-swap"):
        if why_not(f"pitfalls={p}", ref):  # (no BGR swap to miss outside caffe preprocessing)
            continue
        steps.append((f"pitfall {p}", ref.replace(pitfalls=(p,))))
    for interp in ("bilinear", "bicubic", "lanczos", "box", "hamming"):
        steps.append((f"{interp} resize", ref.replace(interpolation=interp)))
    return steps + _loading_steps(ref, image)


def _reference_name(ref) -> str:
    return f"reference ({ref.effective_preprocess}, nearest)"


def _loading_steps(ref, loaded=None):
    """The loading switches, for an image that has what they act on (EXIF rotation, transparency).

    ``loaded`` is the picture already in memory; without it, the file ``ref.image`` is read.
    """
    if loaded is None:
        if not ref.image:
            return []
        try:
            loaded = load_image(ref.image)
        except ImageError:
            return []  # the run itself will say what is wrong with the file
    steps = []
    if loaded.exif_orientation != 1:
        steps.append(("EXIF orientation applied", ref.replace(pitfalls=("apply-exif",))))
    if loaded.transparent:
        steps.append(("transparent pixels on white", ref.replace(pitfalls=("alpha-on-white",))))
    return steps


def _p5_sum(o):
    ref_name = next(iter(o.runs))
    ref = o.runs[ref_name]
    o.columns = ["variant", "top-1", "top-5 shared with reference", "largest probability change"]
    o.rows = [[ref_name, top1(ref), "5 of 5", "0"]]
    worst = ("", -1.0)
    changed = 0
    for name in list(o.runs)[1:]:
        c = record_comparison(o, ref_name, name)
        changed += not c.numbers.bit_identical
        o.rows.append([name, top1(o.runs[name]), f"{c.numbers.top5_overlap} of 5", fmt(c.numbers.max_abs_difference)])
        o.bars.append((name, c.numbers.max_abs_difference))
        o.bars_label = "largest change of any class's probability against the reference"
        if c.numbers.max_abs_difference > worst[1]:
            worst = (name, c.numbers.max_abs_difference)
    o.headline = (f"{changed} of {len(o.runs) - 1} variants changed the output (each run has one pass: these changes are "
                  f"deterministic, not random); the largest change is from {worst[0]} ({fmt(worst[1])}).")


PRESETS = [
    Preset("pitfalls", "Preprocessing pitfalls",
           "The correct pipeline (what Keras' load_img and the model's own preprocess_input give) against another "
           "architecture's preprocess_input, each common preprocessing mistake, each resize filter and, when the image has them, its EXIF rotation and its transparency applied "
           "as other loaders apply them: how far each moves the top-5.", _p5_steps, _p5_sum),
]
