"""The Python API against a bare compiled forward call, in the same process.

Setup: an in-memory ``keras.Model`` (default: MobileNetV2 with random weights, 224×224, built here; ``--model
vgg19`` for VGG19 with random weights), the sample photo, N = 32 passes, no augmentation.

(a) api:  ``vc.run(model, image, passes=32, progress=False)``, the whole call: argument checks, the caller's
          state saved and restored, image loading and resizing, preprocessing, the passes (the engine's own
          batching), statistics, verdict, thumbnails.
(b) bare: a ``tf.function`` around ``model(x, training=False)`` on the same 32 inputs, made beforehand, in one
          batched call (32 rows). Nothing else is timed.
(c) bare in the engine's calls: the same function on the same inputs in calls of the engine's batch size (16), to
          tell the API's own cost (a vs c) from the batch size's (b vs c).

Both are warmed first; the repeats are interleaved (api, bare, api, ...) after waiting for a quiet machine, and
each figure is the best of the repeats (other processes only slow a run down).

  api_vs_bare = best api wall time / best bare time  (target <= 1.05)
  api_vs_bare_cpu = the same with this process's CPU time (all threads), which other processes on a shared
                    machine disturb far less than the wall clock

It also times the pipeline match (core.input.pipeline_match) of one array for the sample photo at 224×224: every
known loader's picture made once, then the search (target: under a second per image), as ``match_seconds``.

Run: ``.venv/bin/python benchmarks/bench_api.py [--repeats 5] [--model mobilenetv2|vgg19] [--profile]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from _common import SAMPLE, best, machine_line, measured, start_tensorflow


def build(name: str):
    import keras

    keras.utils.set_random_seed(0)
    if name == "vgg19":
        return keras.applications.VGG19(weights=None)
    return keras.applications.MobileNetV2(weights=None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--passes", type=int, default=32)
    parser.add_argument("--model", choices=("mobilenetv2", "vgg19"), default="mobilenetv2")
    parser.add_argument("--profile", action="store_true", help="also print where the API call's time goes (cProfile)")
    args = parser.parse_args()
    start_tensorflow()
    import tensorflow as tf

    import vggcompare as vc
    from vggcompare.core.input.images import load_image
    from vggcompare.core.input.model_view import model_input

    model = build(args.model)
    n = args.passes
    picture = model_input(load_image(SAMPLE), (224, 224), "nearest")
    x = tf.constant(np.broadcast_to(picture, (n, *picture.shape)).astype(np.float32))  # preprocess "none" (a model file's)
    bare_call = tf.function(lambda batch: model(batch, training=False))

    cpu: dict[str, list[float]] = {"api": [], "bare": [], "chunked": []}

    def bare() -> float:
        t0, c0 = time.perf_counter(), time.process_time()
        bare_call(x).numpy()
        cpu["bare"].append(time.process_time() - c0)
        return time.perf_counter() - t0

    seen = {}

    def api() -> float:
        t0, c0 = time.perf_counter(), time.process_time()
        seen["result"] = vc.run(model, SAMPLE, passes=n, progress=False)
        cpu["api"].append(time.process_time() - c0)
        return time.perf_counter() - t0

    api(), bare(), api(), bare()  # warm: tracing, kernel caches, the engine's model cache
    same = np.array_equal(seen["result"].probabilities[0], bare_call(x[:1]).numpy()[0])
    chunk = min(16, n)
    chunks = [x[k:k + chunk] for k in range(0, n, chunk)]
    chunked_call = tf.function(lambda batch: model(batch, training=False))

    def bare_chunked() -> float:
        t0, c0 = time.perf_counter(), time.process_time()
        for part in chunks:
            chunked_call(part).numpy()
        cpu["chunked"].append(time.process_time() - c0)
        return time.perf_counter() - t0

    bare_chunked(), bare_chunked()
    for times in cpu.values():
        times.clear()  # the warm-up calls
    api_times, bare_times, chunked_times, others = [], [], [], []
    for _ in range(args.repeats):
        for fn, times in ((api, api_times), (bare, bare_times), (bare_chunked, chunked_times)):
            (t, o) = measured(fn)
            times.append(t), others.append(o)
    engine = seen["result"].timings
    print(machine_line())
    print(f"model {args.model} (in memory), N = {n}; api {['%.3f' % t for t in api_times]} s, bare {['%.3f' % t for t in bare_times]} s; "
          f"others used up to {max(others):.2f} cores")
    print(f"api: passes {engine.passes_seconds:.3f} s of the engine's clock (calls of {seen['result'].environment.passes_per_call}), "
          f"first call {engine.first_call_seconds:.3f} s; bare call of {n} rows {best(bare_times):.3f} s; "
          f"pass 1 equals the bare call's row bit for bit: {same}")
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        api()
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    from vggcompare.core.input.pipeline_match import loader_pictures, match_pipeline

    loaded = load_image(SAMPLE)
    match_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        match_pipeline(picture / 127.5 - 1, loaded, (224, 224), loader_pictures(loaded, (224, 224)))
        match_times.append(time.perf_counter() - t0)
    print(f"pipeline match of one array (pictures made, then searched): {['%.3f' % t for t in match_times]} s")
    print(f"bare in calls of {chunk}: {['%.3f' % t for t in chunked_times]} s")
    print(f"CPU seconds: api {['%.3f' % t for t in cpu['api']]}, bare {['%.3f' % t for t in cpu['bare']]}, "
          f"bare in calls of {chunk} {['%.3f' % t for t in cpu['chunked']]}")
    api_cpu = best(cpu["api"][:args.repeats])
    print(f"RESULT api_vs_bare={best(api_times) / best(bare_times):.3f} "
          f"api_vs_bare_in_engine_calls={best(api_times) / best(chunked_times):.3f} "
          f"api_vs_bare_cpu={api_cpu / best(cpu['bare']):.3f} api_vs_engine_calls_cpu={api_cpu / best(cpu['chunked']):.3f} "
          f"match_seconds={best(match_times):.3f} model={args.model} passes={n}")


if __name__ == "__main__":
    main()
