"""The layer comparison of one pair against the same pair's plain passes.

Setup: ``efficientnet-lite0`` (real ImageNet weights, built in; 143 layers) on ``resources/sweep/brick.jpg``, the pair
inference / training mode, one pass each.

In one process, after an untimed warm-up of both sides (the model built; the plain calls and the instrumented calls
traced once, as in a window whose engine has compared this pair before):

(a) layers: ``compare_by_layer(inference, training mode)``: each side's pass, its instrumented pass (every layer's
    output kept for the image) and the comparison of the 143 layers (largest absolute, relative L2, cosine);
(b) plain: the same two runs through ``run_passes`` without instrumentation (one plain pass each).

``layers_vs_pass`` = best (a) / best (b), alternating, ``--repeats`` each. Target <= 3. The first, untimed, calls are
printed too (tracing the instrumented graph is a one-time cost per call path, batch shape and model variant).

Run: ``.venv/bin/python benchmarks/bench_layers.py [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import time

import _common as C

IMAGE = str(C.ROOT / "resources" / "sweep" / "brick.jpg")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    C.start_tensorflow()
    from vggcompare.core.config import ExperimentConfig
    from vggcompare.core.input.images import load_image
    from vggcompare.core.passes.engine import run_passes
    from vggcompare.core.job_driver import drive
    from vggcompare.core.studies.layers import compare_by_layer

    image = load_image(IMAGE)
    ref = ExperimentConfig(image=IMAGE, model="efficientnet-lite0", passes=1, seeding="once", seed=42)
    other = ref.replace(training_mode=True)

    def layers():
        return drive(compare_by_layer(ref, other, image))

    def plain():
        return [drive(run_passes(c, image, split_training=False)) for c in (ref, other)]

    t0 = time.perf_counter()
    plain()
    first_plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    study = layers()
    first_layers = time.perf_counter() - t0
    print(f"first calls (untimed warm-up): plain pair {first_plain:.2f} s, with layers {first_layers:.2f} s")
    print(f"comparison: {study.comparison.sentence()}")
    times = {"layers": [], "plain": []}
    others = []
    for _ in range(args.repeats):
        for name, fn in (("layers", layers), ("plain", plain)):
            C.wait_for_quiet()
            with C.Contention() as c:
                fn()
            times[name].append(c.seconds)
            others.append(c.others)
    t0 = time.perf_counter()
    from vggcompare.core.analysis.layers import compare_layers

    compare_layers(study.a.layers, study.b.layers)
    compare_only = time.perf_counter() - t0
    ratio = min(times["layers"]) / min(times["plain"])
    print(C.machine_line())
    print(f"layers {C.fmt_list(times['layers'])} s; plain pair {C.fmt_list(times['plain'])} s; the comparison of the "
          f"143 layers alone {compare_only:.3f} s; other processes used {max(others):.2f} cores at most")
    print(f"RESULT layers_vs_pass={ratio:.3f} (target <= 3; best {min(times['layers']):.3f} s / {min(times['plain']):.3f} s)")


if __name__ == "__main__":
    main()
