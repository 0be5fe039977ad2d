"""Seeding × augmentation: does each run vary within itself, and does its repeat reproduce it?"""

from __future__ import annotations

from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.config import AugmentConfig
from vggcompare.core.studies.presets.base import Preset, clean, record_comparison, within


_CELLS = [(s, a) for s in ("off", "once") for a in (False, True)]


def _cell(s, a, k):
    return f"seeding {s}, augmentation {'on' if a else 'off'}, run {k}"


def _p4_steps(cfg, _image=None):
    return [(_cell(s, a, k), clean(cfg, seeding=s, augment=AugmentConfig(enabled=a))) for s, a in _CELLS for k in (1, 2)]


def _p4_sum(o):
    o.columns = ["seeding", "augmentation off", "augmentation on"]
    vary, repro = [], []
    for s in ("off", "once"):
        row = [s]
        for a in (False, True):
            c = record_comparison(o, _cell(s, a, 1), _cell(s, a, 2))
            rep = "repeat identical" if c.numbers.bit_identical else f"repeat differs by {fmt(c.numbers.max_abs_difference)}"
            row.append(f"{within(o.runs[_cell(s, a, 1)])}; {rep}")
            name = f"seeding {s} + augmentation {'on' if a else 'off'}"
            if not o.runs[_cell(s, a, 1)].statistics.all_bit_identical:
                vary.append(name)
            if c.numbers.bit_identical:
                repro.append(name)
        o.rows.append(row)
    o.headline = (f"Passes differed within a run in {len(vary)} of 4 cells ({', '.join(vary) or 'none'}); "
                  f"a repeat reproduced the run bit for bit in {len(repro)} of 4 ({', '.join(repro) or 'none'}).")
    if o.runs[_cell("off", False, 1)].config.model.endswith("-random"):
        o.notes.append("With random weights and no seed, each run draws new weights, so even a run without augmentation does not repeat.")


PRESETS = [
    Preset("matrix", "Seeding × augmentation",
           "The four combinations of seeding and augmentation, each run twice: does each run vary within itself, "
           "and does its repeat reproduce it?", _p4_steps, _p4_sum),
]
