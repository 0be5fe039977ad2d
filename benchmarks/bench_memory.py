"""Peak memory of a run against its number of passes.

Each run is made in a fresh subprocess (``--child N``): import TensorFlow, build VGG19 with random
weights, run N passes with augmentation on (seeding once, automatic chunk), and report the peak
resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), and the peak when the passes
began (after the model was ready; read in the progress callback for ``done == 0``).

Targets: peak for N = 256 <= 3 GB, and no growth with N beyond one chunk beyond the
N x C float32 probabilities. The allowance printed is
``(256 - 64) x C x 4 bytes`` (the stored probabilities) ``+ one chunk of inputs`` (B x 224 x 224 x 3
float32) ``+ 16 MB`` (allocator noise).

Run: ``.venv/bin/python benchmarks/bench_memory.py [--sizes 64,256]`` (about 1.5 minutes)
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import _common as C


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def child(n: int) -> None:
    C.start_tensorflow()
    from vggcompare.core.passes.engine import auto_batch_size, run_experiment

    cfg = C.base_config(passes=n)
    at_start = {}

    def progress(report) -> None:
        if report.stage == "passes" and report.done == 0:
            at_start["peak"] = peak_mb()

    t = time.perf_counter()
    result = run_experiment(cfg, progress=progress)
    wall = time.perf_counter() - t
    print(json.dumps({
        "passes": n,
        "chunk": auto_batch_size(cfg),
        "classes": result.probabilities.shape[1],
        "peak_mb": peak_mb(),
        "peak_before_passes_mb": at_start.get("peak"),
        "probabilities_mb": result.probabilities.nbytes / 2**20,
        "seconds_per_pass": result.timings.seconds_per_pass,
        "wall_s": wall,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="64,256")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    print(f"machine: {C.machine_line()}")
    print("setup: VGG19 random weights, float32, augmentation on, seeding once; one fresh process per N")
    rows = {}
    for n in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(n)], capture_output=True, text=True, check=True
        ).stdout
        row = json.loads(out.strip().splitlines()[-1])
        rows[n] = row
        print(f"  N={n:4d}: peak RSS {row['peak_mb']:.0f} MB (at the first pass: {row['peak_before_passes_mb']:.0f} MB), "
              f"probabilities {row['probabilities_mb']:.2f} MB, {row['seconds_per_pass']:.3f} s/pass, "
              f"{row['wall_s']:.1f} s")
    small, large = min(rows), max(rows)
    r_small, r_large = rows[small], rows[large]
    diff = r_large["peak_mb"] - r_small["peak_mb"]
    chunk = r_large["chunk"]
    allowance = ((large - small) * r_large["classes"] * 4 + chunk * 224 * 224 * 3 * 4) / 2**20 + 16
    growth_in_passes = (r_large["peak_mb"] - r_large["peak_before_passes_mb"]) - (
        r_small["peak_mb"] - r_small["peak_before_passes_mb"])
    print(f"difference of peaks N={large} - N={small}: {diff:+.1f} MB "
          f"(allowance {allowance:.1f} MB: stored probabilities + one chunk of {chunk} inputs + 16 MB noise)")
    print(f"growth during the passes only (peak minus the peak at the first pass), N={large} vs N={small}: "
          f"{growth_in_passes:+.1f} MB")
    print(f"target peak <= 3072 MB: {'met' if r_large['peak_mb'] <= 3072 else 'MISSED'}; "
          f"no growth beyond allowance: {'met' if diff <= allowance else 'MISSED'}")
    print(f"RESULT peak_n{large}_mb={r_large['peak_mb']:.0f} peak_n{small}_mb={r_small['peak_mb']:.0f} "
          f"diff_mb={diff:.1f} allowance_mb={allowance:.1f}")


if __name__ == "__main__":
    main()
