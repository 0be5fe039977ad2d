"""Through the network: training mode and a bfloat16 copy against inference, layer by layer, on one image.

Each run keeps every layer's output for the image (core.passes.layer_pass); the comparisons carry where the
difference enters and how it grows (core.analysis.layers), which the headline says in numbers.
"""

from __future__ import annotations

from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.studies.presets.base import Preset, clean, record_comparison

REFERENCE = "inference"
TRAINING = "training mode"
BFLOAT16 = "bfloat16"


def _steps(cfg, _image=None):
    base = clean(cfg, passes=1, batch_size=1, training_mode=False, training_part="all", call="compiled",
                 batch_neighbours="none", kernels="default", backend="tensorflow")
    return [(REFERENCE, base), (TRAINING, base.replace(training_mode=True)), (BFLOAT16, base.replace(precision="bfloat16"))]


def _said(name: str, cmp) -> str:
    layers = cmp.layers
    if layers is None:
        return f"{name}: no layer comparison"
    enters, out = layers.enters_at, layers.output
    if layers.first_difference is None:
        return f"{name} changes no layer (bit-identical at every one of {len(layers.rows)})"
    if enters is None:
        return f"{name} stays at float32 round-off through the network ({fmt(out.relative)} at the output)"
    return (f"{name} enters at {enters.name} ({enters.kind}, relative difference {fmt(enters.relative)}) and reaches "
            f"{fmt(out.relative)} at the output")


def _summary(o):
    o.columns = ["against inference", "first differs at", "enters at", "relative difference there", "at the output"]
    said = []
    for name in (TRAINING, BFLOAT16):
        if name not in o.runs:  # a step that does not apply to the model (the notes say why)
            continue
        c = record_comparison(o, REFERENCE, name)
        layers = c.layers
        said.append(_said(name, c))
        if layers is None:
            continue
        first, enters, out = layers.first_difference, layers.enters_at, layers.output
        o.rows.append([name, first.name if first else "nowhere", enters.name if enters else "round-off only",
                       fmt(enters.relative) if enters else "—", fmt(out.relative) if out else "—"])
        o.bars.append((f"{name}: enters at {enters.name}" if enters else f"{name}: round-off only", out.relative if out else 0.0))
    o.bars_label = "relative L2 difference at the output, against inference"
    if not said:
        o.headline = "Neither training mode nor a bfloat16 copy applies to this model, so there is nothing to compare."
        return
    o.headline = "; ".join(said) + "."
    o.headline = o.headline[0].upper() + o.headline[1:]


PRESETS = [Preset("layers", "Through the network: where training mode breaks the model",
                  "Inference, training mode and a bfloat16 copy, one pass each with every layer's output kept: where "
                  "each difference first rises above float32 round-off, and how it grows to the output.",
                  _steps, _summary, layers=True)]
