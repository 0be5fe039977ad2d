"""Seconds per pass against passes per forward call (the chunk size), VGG19 random weights, float32.

For each batch size B in 1, 2, 4, 8, 16, 32 the script times ``PreparedModel.forward`` (the
engine's compiled call: a ``tf.function`` with a fixed batch shape) on preprocessed 224x224 inputs,
covering 32 images per repeat (32/B calls). Batch sizes are interleaved within each repeat, the
script waits for the shared machine to go quiet before each block, and the figure per B is the
BEST single call divided by B (contention only slows calls down). Every shape is traced once
before timing.

The engine's automatic chunk (``vggcompare.core.passes.engine.AUTO_BATCH``) should be the smallest B
within a few per cent of the best: smaller chunks mean more frequent progress reports and
cancellation points, and less memory.

Run: ``.venv/bin/python benchmarks/bench_chunk.py [--repeats 3] [--sizes 1,2,4,8,16,32]``
"""

from __future__ import annotations

import argparse
import time

import _common as C


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="1,2,4,8,16,32")
    parser.add_argument("--images", type=int, default=32, help="images covered per batch size per repeat")
    parser.add_argument("--precision", default="float32", choices=("float32", "bfloat16"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    C.start_tensorflow()
    import numpy as np
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # one tf.function per batch size is this script's doing, not a retrace bug

    from vggcompare.core.passes.engine import AUTO_BATCH
    from vggcompare.core.input.images import load_image, resize_for_model
    from vggcompare.core.model.prepare import prepare_model
    from vggcompare.core.input.preprocess import preprocess

    cfg = C.base_config(passes=32, precision=args.precision)
    prepared = prepare_model(cfg)
    picture = resize_for_model(load_image(C.SAMPLE).image, prepared.input_size, cfg.interpolation)
    x_all = preprocess(np.broadcast_to(picture, (max(sizes), *picture.shape)).copy(), "caffe")
    print(f"machine: {C.machine_line()}")
    print(f"setup: VGG19 random weights, {args.precision}, PreparedModel.forward; best call of {args.repeats} repeats; "
          f"AUTO_BATCH now {AUTO_BATCH}")

    batches = {b: np.ascontiguousarray(x_all[:b]) for b in sizes}
    for b in sizes:  # trace every shape before timing
        t = time.perf_counter()
        prepared.forward(batches[b])
        print(f"  trace + first call, batch {b:2d}: {time.perf_counter() - t:.2f} s")

    calls: dict[int, list[tuple[float, float]]] = {b: [] for b in sizes}
    for r in range(args.repeats):
        order = sizes if r % 2 == 0 else list(reversed(sizes))
        for b in order:
            C.wait_for_quiet()
            for _ in range(max(1, args.images // b)):
                with C.Contention() as c:
                    prepared.forward(batches[b])
                calls[b].append((c.seconds, c.others))

    print()
    print("| passes per call | best s/pass | median s/pass | calls | others' cores (mean) | vs best |")
    print("|---:|---:|---:|---:|---:|---:|")
    per_pass = {b: min(s for s, _ in calls[b]) / b for b in sizes}
    med = {b: C.median([s for s, _ in calls[b]]) / b for b in sizes}
    top = min(per_pass.values())
    for b in sizes:
        others = sum(o for _, o in calls[b]) / len(calls[b])
        print(f"| {b} | {per_pass[b]:.4f} | {med[b]:.4f} | {len(calls[b])} | {others:.2f} | {per_pass[b] / top:.3f} |")
    best_b = min(per_pass, key=per_pass.get)
    within = min(b for b in sizes if per_pass[b] <= top * 1.03)
    print()
    print(f"best batch {best_b}; smallest batch within 3% of the best: {within}")
    print(f"RESULT best_batch={best_b} best_s_per_pass={top:.4f} smallest_within_3pct={within} "
          f"b1_vs_best={per_pass[sizes[0]] / top:.3f}")


if __name__ == "__main__":
    main()
