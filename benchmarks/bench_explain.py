"""Explanation maps: what Grad-CAM and occlusion cost, and how long drawing them holds the GUI thread.

Setup: EfficientNet-Lite0 with its real ImageNet weights (``--model efficientnet-lite0``), the bundled cat,
augmentation on, seeding once (the passes differ, so every explained pass gets its own map), float32.
Everything in (a) and (b) is measured side by side in this one process, warmed first, with the repeats
interleaved; before each timed block the script waits (up to 20 s) for the shared machine to go quiet and
prints the cores other processes used meanwhile (``seconds@others``). Every repeat's ratio is printed;
the RESULT keeps the best (contention only ever slows a run down).

(a) ``gradcam_vs_passes``: the whole ``run_experiment`` call with ``explain='gradcam'`` and K = N (every pass
    explained) against the same call without maps (target <= 3).
(b) ``occlusion_vs_forward``: the run's own ``timings.explain_seconds`` with ``explain='occlusion'`` for K
    passes (a 7×7 grid: 49 occluded copies of each pass, plus the pass itself, in calls of the run's batch
    size) against the floor of 49·K forward passes: ``PreparedModel.forward`` over pre-made inputs in calls
    of the same size (target <= 1.1). The ratio against the 50·K rows it really runs is printed beside it.
(c) ``max_stall_maps_ms``: in a fresh process without TensorFlow (as the window is), offscreen, the Result
    tab's ``ResultsView`` is shown, then the Grad-CAM result of (a), read from its JSON file, is shown in
    it while a 5 ms ``QTimer`` ticks; the largest gap between ticks until every staged panel is drawn is
    the GUI thread's longest stall (target <= 50 ms). Also timed: each panel's longest staged step, the maps
    panel's own ``show_result`` (all its steps at once) and one move of the opacity slider. Best of the
    repeats, every repeat shown.

Run: ``.venv/bin/python benchmarks/bench_explain.py [--repeats 3] [--passes 16] [--occlusion-passes 4]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import _common as C

_STALL = r"""
import json, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from vggcompare.core.storage.result_file import load_result
from vggcompare.gui.results import ResultsView
result = load_result(sys.argv[1])
view = ResultsView()
view.resize(1400, 1000)
view.show()
view.prepare_plots()  # as the window does after its first paint: pyqtgraph loads and the plots are built first
t_end = time.perf_counter() + 20
while view.variance.plot_widget is None or view.passes.plot_widget is None:
    app.processEvents()
    if time.perf_counter() > t_end:
        break
for _ in range(20):
    app.processEvents()
steps = {}
def timed(fn):
    panel = getattr(fn, "func", fn).__qualname__.split(".")[0]  # the panel whose step it is
    def run():
        t = time.perf_counter()
        fn()
        steps[panel] = max(steps.get(panel, 0.0), 1000 * (time.perf_counter() - t))
    run.painted_alone = getattr(fn, "painted_alone", False)  # the view's own pacing, kept
    return run
out = []
for repeat in range(int(sys.argv[2])):
    ticks = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    t_end = time.perf_counter() + 0.1
    while time.perf_counter() < t_end:
        app.processEvents()
    steps.clear()
    view.show_result(result)
    view._staged = [timed(fn) for fn in view._staged]
    while view._staged or time.perf_counter() < t_end + 0.6:
        app.processEvents()
    timer.stop()
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    t = time.perf_counter(); view.maps.show_result(result); panel = time.perf_counter() - t
    t = time.perf_counter(); view.maps.opacity.setValue(30 if repeat % 2 == 0 else 70); slider = time.perf_counter() - t
    view.maps.repaint()
    t = time.perf_counter(); view.maps.repaint(); paint = time.perf_counter() - t
    out.append({"max_gap_ms": 1000 * max(gaps), "panel_ms": 1000 * panel, "slider_ms": 1000 * slider, "paint_ms": 1000 * paint,
                "steps": dict(steps),
                "tensorflow_loaded": "tensorflow" in sys.modules, "maps_shown": view.maps.isVisible()})
print(json.dumps(out))
"""


def stall(result_path: str, repeats: int) -> list[dict]:
    """(c), in a fresh offscreen process without TensorFlow."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", _STALL, result_path, str(repeats)], env=env, cwd=C.ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--passes", type=int, default=16)
    parser.add_argument("--occlusion-passes", type=int, default=4, help="K for (b)")
    args = parser.parse_args()
    n, k = args.passes, args.occlusion_passes
    C.start_tensorflow()
    import numpy as np

    from vggcompare.core.analysis import explanation as ex
    from vggcompare.core.input import augment as aug
    from vggcompare.core.input.images import load_image, resize_for_model
    from vggcompare.core.input.preprocess import preprocess
    from vggcompare.core.model.prepare import prepare_model
    from vggcompare.core.passes.engine import auto_batch_size, run_experiment
    from vggcompare.core.storage.result_file import save_result

    image = load_image(C.SAMPLE)
    plain = C.base_config(passes=n, model="efficientnet-lite0")
    gradcam = plain.replace(explain="gradcam", explain_passes=n)
    occlusion = plain.replace(explain="occlusion", explain_passes=k)
    print(f"machine: {C.machine_line()}")
    print(f"setup: EfficientNet-Lite0 ImageNet weights, N={n}, augmentation on, seeding once; Grad-CAM K={n}, "
          f"occlusion K={k}; {args.repeats} repeats")
    for cfg in (plain, gradcam, occlusion):  # build, convert or load, trace every compiled call
        warm = run_experiment(cfg, image)
    prepared = prepare_model(plain)
    chunk = auto_batch_size(plain)
    picture = resize_for_model(image.image, prepared.input_size, plain.interpolation)
    raw, _ = aug.PassAugmenter(plain.augment, plain.seed, plain.seeding).augment(picture, range(k))
    pre = preprocess(raw, plain.effective_preprocess)
    rows = np.concatenate([ex.occluded_inputs(x, ex.grid_boxes(pre.shape[1:3]))[1:] for x in pre])  # the 49 occluded copies
    assert len(rows) == 49 * k, len(rows)
    if len(rows) % chunk:
        rows = np.concatenate([rows, np.repeat(rows[-1:], chunk - len(rows) % chunk, axis=0)])
    calls = [np.ascontiguousarray(rows[s : s + chunk], np.float32) for s in range(0, len(rows), chunk)]
    prepared.forward(calls[0])

    def whole(cfg) -> float:
        t = time.perf_counter()
        run_experiment(cfg, image)
        return time.perf_counter() - t

    def explained(cfg) -> float:
        return run_experiment(cfg, image).timings.explain_seconds

    def floor() -> float:
        t = time.perf_counter()
        for x in calls:
            prepared.forward(x)
        return time.perf_counter() - t

    passes, cams, occl, flo = [], [], [], []
    for _ in range(args.repeats):
        passes.append(C.measured(lambda: whole(plain)))
        cams.append(C.measured(lambda: whole(gradcam)))
        occl.append(C.measured(lambda: explained(occlusion)))
        flo.append(C.measured(floor))
    for label, runs in (("(a) run, no maps", passes), ("(a) run, Grad-CAM K=N", cams),
                        (f"(b) occlusion of {k} passes", occl), (f"(b) floor: {49 * k} forward passes", flo)):
        print(f"  {label:<32}: {', '.join(f'{r[0]:.3f}s@{r[1]:.2f}' for r in runs)}")
    cam_ratios = [c[0] / p[0] for c, p in zip(cams, passes)]
    occ_ratios = [o[0] / f[0] for o, f in zip(occl, flo)]
    print(f"  gradcam_vs_passes every repeat: {C.fmt_list(cam_ratios)}")
    print(f"  occlusion_vs_forward every repeat: {C.fmt_list(occ_ratios)} (against the 50·K rows it runs: "
          f"{C.fmt_list([r * 49 / 50 for r in occ_ratios])})")
    with tempfile.TemporaryDirectory(prefix="bench-explain-") as folder:
        path = str(save_result(warm if warm.config.explain == "gradcam" else run_experiment(gradcam, image),
                               os.path.join(folder, "gradcam.json")))
        shown = stall(path, args.repeats)
    for s in shown:
        print(f"  (c) longest GUI-thread gap {s['max_gap_ms']:.1f} ms; maps panel show_result {s['panel_ms']:.1f} ms; "
              f"its paint {s['paint_ms']:.1f} ms; opacity slider {s['slider_ms']:.1f} ms; longest staged step "
              f"{', '.join(f'{k} {v:.1f}' for k, v in s['steps'].items())} ms; TensorFlow in that process: "
              f"{s['tensorflow_loaded']}; maps shown: {s['maps_shown']}")
    print(f"machine after: {C.machine_line()}")
    print(f"RESULT gradcam_vs_passes={C.best(cam_ratios):.3f} occlusion_vs_forward={C.best(occ_ratios):.3f} "
          f"max_stall_maps_ms={min(s['max_gap_ms'] for s in shown):.1f} "
          f"maps_panel_ms={min(s['panel_ms'] for s in shown):.1f}")


if __name__ == "__main__":
    main()
