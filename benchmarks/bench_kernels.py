"""Kernel libraries and Keras backends against the machine's limit, in one run.

For each kernel library (the CPU's default, oneDNN forced, Eigen forced; TensorFlow) and each Keras
backend (TensorFlow, JAX if installed), a fresh Python process (these settings must precede the
backend's start) builds VGG19 with random weights through the core (``prepare_model``) and times the
engine's compiled forward call (``PreparedModel.forward``) on one preprocessed batch of 16: one
warm-up call, then ``--repeats`` timed calls; the figure is the best call / 16, in seconds per pass.

The limit: VGG19's 39.3 GFLOP per pass (19.6 G multiply-adds at 224×224) divided by the best float32
GEMM rate measured here, a 4096² ``matmul`` by NumPy's BLAS and by TensorFlow (best of 3 each).

  default_vs_limit = the default (TensorFlow, the CPU's default kernels) seconds per pass / limit
  best_vs_limit    = the best of all rows / limit                     (target <= 1.35)

Run: ``.venv/bin/python benchmarks/bench_kernels.py [--repeats 3]``. Ends with
``RESULT default_vs_limit=… best_vs_limit=…``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

import _common as C

GFLOP_PER_PASS = 39.3
BATCH = 16
GEMM = 4096
ROWS = [("default", "tensorflow"), ("onednn", "tensorflow"), ("eigen", "tensorflow"), ("default", "jax")]


def child(kernels: str, backend: str, repeats: int) -> dict:
    """Run in the fresh process: time the forward call at batch 16 and, under TensorFlow, its GEMM."""
    import numpy as np

    from vggcompare.core.input.images import load_image, resize_for_model
    from vggcompare.core.input.preprocess import preprocess
    from vggcompare.core.model.backend import EngineSettings, start_backend
    from vggcompare.core.model.prepare import prepare_model
    from vggcompare.core.passes.environment import kernel_library

    start_backend(EngineSettings(backend=backend, kernels=kernels))
    cfg = C.base_config(passes=BATCH, batch_size=BATCH)
    prepared = prepare_model(cfg)
    prepared.hold_weights((42, 4))
    picture = resize_for_model(load_image(C.SAMPLE).image, prepared.input_size, cfg.interpolation)
    x = preprocess(np.broadcast_to(picture, (BATCH, *picture.shape)).copy(), cfg.effective_preprocess, ())
    prepared.forward(x)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        prepared.forward(x)
        best = min(best, time.perf_counter() - t0)
    out = {"seconds_per_pass": best / BATCH, "library": kernel_library()[0]}
    if backend == "tensorflow" and kernels == "default":
        import tensorflow as tf

        a = tf.random.uniform((GEMM, GEMM), dtype=tf.float32)
        tf.linalg.matmul(a, a).numpy()
        out["tf_gflops"] = 2 * GEMM**3 / _best(lambda: tf.linalg.matmul(a, a).numpy()) / 1e9
    return out


def _best(fn, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def numpy_gflops() -> float:
    """NumPy's float32 4096² matmul rate (its BLAS), best of 3 after a warm-up."""
    import numpy as np

    a = np.random.default_rng(0).random((GEMM, GEMM), dtype=np.float32)
    a @ a
    return 2 * GEMM**3 / _best(lambda: a @ a) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("KERNELS", "BACKEND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("CHILD " + json.dumps(child(*args.child, args.repeats)))
        return
    print(C.machine_line())
    rows = []
    for kernels, backend in ROWS:
        if backend == "jax" and importlib.util.find_spec("jax") is None:
            print(f"{kernels:<8} {backend:<11} skipped: JAX is not installed")
            continue
        env = {k: v for k, v in os.environ.items() if k not in ("TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND")}
        proc = subprocess.run([sys.executable, __file__, "--child", kernels, backend, "--repeats", str(args.repeats)],
                              capture_output=True, text=True, env=env, timeout=1800)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("CHILD ")), None)
        if proc.returncode != 0 or line is None:
            print(f"{kernels:<8} {backend:<11} failed: {(proc.stderr.strip().splitlines() or ['no output'])[-1]}")
            continue
        data = json.loads(line[6:])
        rows.append((kernels, backend, data))
        print(f"{kernels:<8} {backend:<11} {data['seconds_per_pass']:.3f} s per pass at batch {BATCH} ({data['library']})")
    np_rate = numpy_gflops()
    tf_rate = next((d["tf_gflops"] for k, b, d in rows if "tf_gflops" in d), 0.0)
    limit = GFLOP_PER_PASS / max(np_rate, tf_rate)
    print(f"float32 GEMM {GEMM}²: NumPy {np_rate:.0f} GFLOP/s, TensorFlow {tf_rate:.0f} GFLOP/s; "
          f"limit {GFLOP_PER_PASS} GFLOP / {max(np_rate, tf_rate):.0f} GFLOP/s = {limit:.3f} s per pass")
    default = next(d["seconds_per_pass"] for k, b, d in rows if (k, b) == ("default", "tensorflow"))
    best = min(d["seconds_per_pass"] for _k, _b, d in rows)
    print(f"RESULT default_vs_limit={default / limit:.3f} best_vs_limit={best / limit:.3f}")


if __name__ == "__main__":
    main()
