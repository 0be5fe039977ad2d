"""The exported model: will it give the same answer? The same picture through the Keras model and through each export
a deployment serves (SavedModel, TFLite float32, float16, dynamic-range and full-integer int8, ONNX Runtime), with
where each export's difference enters the network, at the layers its tensors can be matched to (docs/layers.md)."""

from __future__ import annotations

from vggcompare.core.analysis.verdict import fmt
from vggcompare.core.runtime_rules import RUNTIMES, TITLES
from vggcompare.core.studies.presets.base import Preset, clean, record_comparison, top1

KERAS_LABEL = "keras"
QUESTION = "The exported model: will it give the same answer?"


def _steps(cfg, _image=None):
    ref = clean(cfg, passes=1, call="compiled", training_mode=False, training_part="all", batch_neighbours="none",
                explain=None, explain_class=None, explain_passes=None, runtime="keras", tflite_xnnpack=True,
                tflite_threads=None, calibration=cfg.calibration if cfg.runtime == "tflite-int8" else None)
    plain = ref.replace(calibration=None)
    return [(name, plain if name == "keras" else (ref if name == "tflite-int8" else plain).replace(runtime=name))
            for name in RUNTIMES]


def _summary(o):
    names = list(o.runs)
    ref = o.runs[names[0]]
    o.columns = ["served as", "top-1", "largest probability change", "top-1 changed", "enters at", "export"]
    o.rows = [[TITLES[KERAS_LABEL], top1(ref), "0", "—", "—", "—"]]
    flips = []
    for name in names[1:]:
        c = record_comparison(o, names[0], name)
        env = o.runs[name].environment
        made = f"{'made' if env.export_made else 'reused'}, {env.export_seconds or 0:.1f} s"
        changed = not c.numbers.same_top1
        flips += [name] if changed else []
        enters = c.layers.enters_text(c.numbers.max_abs_difference) if c.layers is not None else "—"
        o.rows.append([TITLES.get(name, name), top1(o.runs[name]), fmt(c.numbers.max_abs_difference), "yes" if changed else "no",
                       enters, made])
        o.bars.append((name, c.numbers.max_abs_difference))
    o.bars_label = "largest change of any class's probability against the Keras model"
    largest = max(o.bars, key=lambda bar: bar[1]) if o.bars else ("", 0.0)
    o.headline = (f"{len(flips)} of {len(names) - 1} exports changed the top-1 against the Keras model"
                  f"{' (' + ', '.join(flips) + ')' if flips else ''}; the largest probability change is {fmt(largest[1])}, "
                  f"from {largest[0]}.")


PRESETS = [
    Preset("runtimes", QUESTION,
           "The same picture through the Keras model and through each export a deployment serves: model.export's "
           "SavedModel, TFLite from TFLiteConverter.from_keras_model (float32, float16 weights, dynamic-range int8, "
           "full-integer int8 calibrated on the bundled photos) in the LiteRT interpreter, and model.export's ONNX file "
           "in ONNX Runtime. Each export is made once and cached; each run keeps its layers where the runtime's tensors "
           "allow, so the table says where each export's difference enters the network.", _steps, _summary,
           skip_unreadable=True, layers=True),
]
